package io.engram.query.executor.engine;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.SpreadQuery;
import java.util.Optional;

/**
 * Activation that crossed an edge out of the spread's space: the distributed spread continues it in the target's
 * space.
 *
 * @param memory the edge's target, a memory outside the spread's space
 * @param space the target's space, when known (from the store, or from the engine's space resolver)
 * @param activation the activation that reached it, in [0, 1]
 * @param hopsUsed the hops travelled to reach it, in [1, {@value SpreadQuery#MAX_HOPS}]
 */
public record FrontierActivation(MemoryId memory, Optional<MemorySpaceId> space, double activation, int hopsUsed) {
    public FrontierActivation {
        requireNonNull(memory, "memory is null");
        requireNonNull(space, "space is null");
        if (!(activation >= 0.0 && activation <= 1.0)) {
            throw new IllegalArgumentException("activation must be in [0, 1], got " + activation);
        }
        if (hopsUsed < 1 || hopsUsed > SpreadQuery.MAX_HOPS) {
            throw new IllegalArgumentException(
                    "hops used must be in [1, " + SpreadQuery.MAX_HOPS + "], got " + hopsUsed);
        }
    }

    /** This activation as a start for the target's space, when that space is known. */
    public Optional<Activation> toActivation() {
        return space.map(s -> new Activation(memory, s, activation, hopsUsed));
    }
}
