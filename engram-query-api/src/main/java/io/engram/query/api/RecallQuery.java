package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Finds the memories most similar to a cue: confidence is the cosine similarity clipped to [0, 1].
 *
 * @param spaces the spaces to search; empty means every space
 * @param cue what to look for
 * @param minConfidence matches below this are not returned
 * @param options limit, timeout, consistency, merge policy
 */
public record RecallQuery(List<MemorySpaceId> spaces, Cue cue, Confidence minConfidence, QueryOptions options)
        implements Query {
    public RecallQuery {
        spaces = Query.checkSpaces(spaces);
        requireNonNull(cue, "cue is null");
        requireNonNull(minConfidence, "min confidence is null");
        requireNonNull(options, "options is null");
    }

    public static RecallQuery of(List<MemorySpaceId> spaces, Cue cue, int limit) {
        return new RecallQuery(spaces, cue, Confidence.NONE, QueryOptions.limit(limit));
    }

    @Override
    public QueryType type() {
        return QueryType.RECALL;
    }
}
