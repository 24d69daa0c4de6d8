package io.engram.query.executor.engine;

import io.engram.query.api.Confidence;
import io.engram.query.api.Embedding;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The memories of one space in a compact, read-only layout: one contiguous {@code float[]} of {@code size × dimensions}
 * (memory {@code i} at offset {@code i × dimensions}), precomputed norms, parallel arrays for ids, content and fields,
 * and the edges as compressed adjacency: edges to memories of the same space by index, edges to memories elsewhere by
 * id. Built by {@link MemoryStore.Builder}; never changed afterwards, so any number of threads may read it.
 */
public final class SpaceSegment {
    private final MemorySpaceId space;
    private final int dimensions;
    private final int size;
    final float[] vectors;
    final double[] norms;
    final MemoryId[] ids;
    final String[] contents;
    final String[] lowerContents;
    final double[] confidences;
    final List<Map<String, String>> fields;
    // Edges to memories of this space: targets of memory i at localTargets[localStart[i] .. localStart[i + 1]).
    final int[] localStart;
    final int[] localTargets;
    final double[] localWeights;
    // Edges to memories outside this space, by id.
    final int[] externalStart;
    final MemoryId[] externalTargets;
    final double[] externalWeights;

    SpaceSegment(
            MemorySpaceId space,
            int dimensions,
            float[] vectors,
            double[] norms,
            MemoryId[] ids,
            String[] contents,
            String[] lowerContents,
            double[] confidences,
            List<Map<String, String>> fields,
            int[] localStart,
            int[] localTargets,
            double[] localWeights,
            int[] externalStart,
            MemoryId[] externalTargets,
            double[] externalWeights) {
        this.space = space;
        this.dimensions = dimensions;
        this.size = ids.length;
        this.vectors = vectors;
        this.norms = norms;
        this.ids = ids;
        this.contents = contents;
        this.lowerContents = lowerContents;
        this.confidences = confidences;
        this.fields = fields;
        this.localStart = localStart;
        this.localTargets = localTargets;
        this.localWeights = localWeights;
        this.externalStart = externalStart;
        this.externalTargets = externalTargets;
        this.externalWeights = externalWeights;
    }

    public MemorySpaceId space() {
        return space;
    }

    public int dimensions() {
        return dimensions;
    }

    /** The number of memories. */
    public int size() {
        return size;
    }

    /** The number of edges, to this space and elsewhere. */
    public int edgeCount() {
        return localTargets.length + externalTargets.length;
    }

    public MemoryId id(int index) {
        return ids[index];
    }

    public String content(int index) {
        return contents[index];
    }

    public Confidence confidence(int index) {
        return Confidence.of(confidences[index]);
    }

    public Map<String, String> fields(int index) {
        return fields.get(index);
    }

    /** A copy of memory {@code index}'s embedding. */
    public Embedding embedding(int index) {
        int from = index * dimensions;
        return Embedding.of(Arrays.copyOfRange(vectors, from, from + dimensions));
    }

    /** The edges of memory {@code index}: first those within this space, then those leaving it. */
    public List<Edge> edges(int index) {
        List<Edge> edges = new ArrayList<>();
        for (int e = localStart[index]; e < localStart[index + 1]; e++) {
            edges.add(new Edge(ids[localTargets[e]], localWeights[e]));
        }
        for (int e = externalStart[index]; e < externalStart[index + 1]; e++) {
            edges.add(new Edge(externalTargets[e], externalWeights[e]));
        }
        return edges;
    }

    /** Memory {@code index} as a value (copies its embedding). */
    public Memory memory(int index) {
        return new Memory(
                ids[index], space, embedding(index), contents[index], confidence(index), fields(index), edges(index));
    }

    @Override
    public String toString() {
        return "SpaceSegment[" + space + ", " + size + " memories, " + edgeCount() + " edges]";
    }
}
