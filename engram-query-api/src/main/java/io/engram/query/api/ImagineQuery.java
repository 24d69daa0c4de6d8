package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * ImagineBlend: blends the seeds' embeddings into a cue, moves it away from the seeds by {@code novelty}, and recalls
 * across the spaces. Higher novelty yields matches further from the seeds, with lower confidence.
 *
 * @param seeds 1 to 100 distinct memory ids
 * @param spaces the spaces recalled from; empty means every space
 * @param novelty in [0, 1]: 0 recalls the plain blend, 1 moves furthest
 * @param options limit, timeout, consistency, merge policy
 */
public record ImagineQuery(List<MemoryId> seeds, List<MemorySpaceId> spaces, double novelty, QueryOptions options)
        implements Query {
    public static final int MAX_SEEDS = 100;

    public ImagineQuery {
        seeds = Query.checkDistinct("seeds", seeds, 1, MAX_SEEDS);
        spaces = Query.checkSpaces(spaces);
        Query.checkRange("novelty", novelty, 0.0, 1.0);
        requireNonNull(options, "options is null");
    }

    @Override
    public QueryType type() {
        return QueryType.IMAGINE;
    }
}
