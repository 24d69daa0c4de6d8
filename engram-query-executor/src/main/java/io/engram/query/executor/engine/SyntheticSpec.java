package io.engram.query.executor.engine;

import io.engram.query.api.Embedding;

/**
 * What {@link SyntheticDataGenerator} generates.
 *
 * @param spaces the number of spaces, named {@code s1 .. sN}, in [1, 10000]
 * @param memoriesPerSpace memories per space, in [1, 10000000]
 * @param dimensions embedding dimensions, in [1, 65536]
 * @param clusters clusters per space, in [1, memoriesPerSpace]; memory {@code i} is in cluster {@code i mod clusters}
 * @param edgesPerMemory edges drawn per memory, in [0, 256] (a self edge or a repeated target is dropped, so a memory
 *     may have fewer)
 * @param crossSpaceEdgeFraction the share of edges that lead to a memory of another generated space, in [0, 1]; must
 *     be 0 with one space
 * @param seed the seed; the same seed and space give the same memories on every node and JVM
 */
public record SyntheticSpec(
        int spaces,
        int memoriesPerSpace,
        int dimensions,
        int clusters,
        int edgesPerMemory,
        double crossSpaceEdgeFraction,
        long seed) {
    public static final int MAX_SPACES = 10_000;
    public static final int MAX_MEMORIES_PER_SPACE = 10_000_000;
    public static final int MAX_EDGES_PER_MEMORY = 256;

    public SyntheticSpec {
        checkRange("spaces", spaces, 1, MAX_SPACES);
        checkRange("memories per space", memoriesPerSpace, 1, MAX_MEMORIES_PER_SPACE);
        checkRange("dimensions", dimensions, 1, Embedding.MAX_DIMENSIONS);
        checkRange("clusters", clusters, 1, memoriesPerSpace);
        checkRange("edges per memory", edgesPerMemory, 0, MAX_EDGES_PER_MEMORY);
        if (!(crossSpaceEdgeFraction >= 0.0 && crossSpaceEdgeFraction <= 1.0)) {
            throw new IllegalArgumentException(
                    "cross-space edge fraction must be in [0, 1], got " + crossSpaceEdgeFraction);
        }
        if (spaces == 1 && crossSpaceEdgeFraction > 0.0) {
            throw new IllegalArgumentException(
                    "cross-space edge fraction must be 0 with one space, got " + crossSpaceEdgeFraction);
        }
    }

    /** A spec without cross-space edges. */
    public SyntheticSpec(
            int spaces, int memoriesPerSpace, int dimensions, int clusters, int edgesPerMemory, long seed) {
        this(spaces, memoriesPerSpace, dimensions, clusters, edgesPerMemory, 0.0, seed);
    }

    public SyntheticSpec withCrossSpaceEdgeFraction(double fraction) {
        return new SyntheticSpec(spaces, memoriesPerSpace, dimensions, clusters, edgesPerMemory, fraction, seed);
    }

    private static void checkRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
