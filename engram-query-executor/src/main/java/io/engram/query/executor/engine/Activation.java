package io.engram.query.executor.engine;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.SpreadQuery;

/**
 * An activation entering a spread: a seed (activation 1, no hops used) or an activation that arrived over an edge from
 * another space.
 *
 * @param memory the activated memory
 * @param space its space
 * @param activation in [0, 1]
 * @param hopsUsed hops already travelled to reach it, in [0, {@value SpreadQuery#MAX_HOPS}]
 */
public record Activation(MemoryId memory, MemorySpaceId space, double activation, int hopsUsed) {
    public Activation {
        requireNonNull(memory, "memory is null");
        requireNonNull(space, "space is null");
        if (!(activation >= 0.0 && activation <= 1.0)) {
            throw new IllegalArgumentException("activation must be in [0, 1], got " + activation);
        }
        if (hopsUsed < 0 || hopsUsed > SpreadQuery.MAX_HOPS) {
            throw new IllegalArgumentException(
                    "hops used must be in [0, " + SpreadQuery.MAX_HOPS + "], got " + hopsUsed);
        }
    }

    /** A seed: activation 1, no hops used. */
    public static Activation seed(MemoryId memory, MemorySpaceId space) {
        return new Activation(memory, space, 1.0, 0);
    }
}
