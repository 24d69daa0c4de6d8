package io.engram.query.api;

import java.util.List;

/**
 * A query against the memory graph. Every query names the spaces it reads ({@code spaces}; empty means every space,
 * a broadcast) and carries {@link QueryOptions}. All four types are idempotent reads, so they may be retried and hedged.
 */
public sealed interface Query permits RecallQuery, SpreadQuery, CompleteQuery, ImagineQuery {
    /** The most spaces one query may name. A deployment may configure a lower limit. */
    int MAX_SPACES = 10_000;

    QueryType type();

    /** The spaces read, without duplicates; empty means every space. */
    List<MemorySpaceId> spaces();

    QueryOptions options();

    default int limit() {
        return options().limit();
    }

    /** Copies and validates a list of spaces: no nulls, no duplicates, at most {@link #MAX_SPACES}. */
    static List<MemorySpaceId> checkSpaces(List<MemorySpaceId> spaces) {
        return checkDistinct("spaces", spaces, 0, MAX_SPACES);
    }

    /** Copies and validates a list of distinct ids with a size in [min, max]. */
    static <T> List<T> checkDistinct(String field, List<T> values, int min, int max) {
        return DistinctEntries.check(field, "", values, min, max);
    }

    static double checkRange(String field, double value, double min, double max) {
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }
}
