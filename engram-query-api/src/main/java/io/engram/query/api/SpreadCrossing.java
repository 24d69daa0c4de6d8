package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Activation that left a partition's space over an edge during a spread: the coordinator continues it, in a later
 * round, in the target's space.
 *
 * @param memory the edge's target, a memory outside the partition's space
 * @param space the target's space when the partition knows it; when empty the coordinator asks its directory, else
 *     offers the start to every space of the spread
 * @param activation the activation that reached the target, in [0, 1]
 * @param hopsUsed the hops travelled to reach it, in [1, {@value SpreadQuery#MAX_HOPS}]
 */
public record SpreadCrossing(MemoryId memory, Optional<MemorySpaceId> space, double activation, int hopsUsed) {
    public SpreadCrossing {
        requireNonNull(memory, "memory is null");
        requireNonNull(space, "space is null");
        Query.checkRange("activation", activation, 0.0, 1.0);
        if (hopsUsed < 1 || hopsUsed > SpreadQuery.MAX_HOPS) {
            throw new IllegalArgumentException(
                    "hops used must be in [1, " + SpreadQuery.MAX_HOPS + "], got " + hopsUsed);
        }
    }
}
