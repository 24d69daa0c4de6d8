package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Spreading activation: from the seeds, activation flows over weighted edges, multiplied by the edge weight and by
 * {@code 1 − decay} per hop; a memory keeps the best activation that reaches it; flow stops after {@code maxHops} or
 * below {@code threshold}. Seeds are not returned; a match's confidence is its activation.
 *
 * @param seeds 1 to 1,000 distinct memory ids, each starting with activation 1
 * @param spaces the spaces activation may reach; empty means every space
 * @param maxHops in [1, 10], default 3
 * @param decay the fraction lost per hop, in [0, 1), default 0.1
 * @param threshold activation below this stops flowing, in (0, 1], default 0.01
 * @param options limit, timeout, consistency, merge policy
 */
public record SpreadQuery(
        List<MemoryId> seeds,
        List<MemorySpaceId> spaces,
        int maxHops,
        double decay,
        double threshold,
        QueryOptions options)
        implements Query {
    public static final int DEFAULT_MAX_HOPS = 3;
    public static final int MAX_HOPS = 10;
    public static final double DEFAULT_DECAY = 0.1;
    public static final double DEFAULT_THRESHOLD = 0.01;
    public static final int MAX_SEEDS = 1000;

    public SpreadQuery {
        seeds = Query.checkDistinct("seeds", seeds, 1, MAX_SEEDS);
        spaces = Query.checkSpaces(spaces);
        if (maxHops < 1 || maxHops > MAX_HOPS) {
            throw new IllegalArgumentException("max hops must be in [1, " + MAX_HOPS + "], got " + maxHops);
        }
        if (!(decay >= 0.0 && decay < 1.0)) {
            throw new IllegalArgumentException("decay must be in [0, 1), got " + decay);
        }
        if (!(threshold > 0.0 && threshold <= 1.0)) {
            throw new IllegalArgumentException("threshold must be in (0, 1], got " + threshold);
        }
        requireNonNull(options, "options is null");
    }

    /** A spread with the default hops, decay and threshold. */
    public static SpreadQuery of(List<MemoryId> seeds, List<MemorySpaceId> spaces, int limit) {
        return new SpreadQuery(
                seeds, spaces, DEFAULT_MAX_HOPS, DEFAULT_DECAY, DEFAULT_THRESHOLD, QueryOptions.limit(limit));
    }

    @Override
    public QueryType type() {
        return QueryType.SPREAD;
    }
}
