package io.engram.query.spi;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemoryId;
import io.engram.query.api.Query;
import io.engram.query.api.SpreadQuery;

/**
 * An activation a distributed spread hands to a partition for one round: the memory (of the request's space) starts
 * with {@code activation}, having already travelled {@code hopsUsed} hops, and flows for the remaining
 * {@code maxHops − hopsUsed}. A seed is a start with activation 1 and no hops used.
 *
 * @param memory the memory activated, expected in the request's space (a partition ignores a start it does not hold)
 * @param activation in [0, 1]
 * @param hopsUsed in [0, {@value SpreadQuery#MAX_HOPS}]
 */
public record SpreadStart(MemoryId memory, double activation, int hopsUsed) {
    public SpreadStart {
        requireNonNull(memory, "memory is null");
        Query.checkRange("activation", activation, 0.0, 1.0);
        if (hopsUsed < 0 || hopsUsed > SpreadQuery.MAX_HOPS) {
            throw new IllegalArgumentException(
                    "hops used must be in [0, " + SpreadQuery.MAX_HOPS + "], got " + hopsUsed);
        }
    }

    /** A seed: activation 1, no hops used. */
    public static SpreadStart seed(MemoryId memory) {
        return new SpreadStart(memory, 1.0, 0);
    }
}
