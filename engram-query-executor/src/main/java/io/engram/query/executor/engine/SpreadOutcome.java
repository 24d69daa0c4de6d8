package io.engram.query.executor.engine;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Match;
import io.engram.query.api.Query;
import java.util.List;

/**
 * What a spread over one space found.
 *
 * @param matches the activated memories of the space (seeds excluded), best first, at most the query's limit
 * @param frontier the activation that edges from the space carried to memories outside it: per target, every
 *     crossing no other dominates (fewer or equal hops and at least the activation), hops ascending; with
 *     {@code limit} matches, none strictly below the weakest match (it could not change the answer)
 * @param confidenceAdjustment 1 when every round ran; less when the deadline cut the spread (the share of the rounds
 *     done)
 */
public record SpreadOutcome(List<Match> matches, List<FrontierActivation> frontier, double confidenceAdjustment) {
    public SpreadOutcome {
        matches = List.copyOf(requireNonNull(matches, "matches is null"));
        frontier = List.copyOf(requireNonNull(frontier, "frontier is null"));
        Query.checkRange("confidence adjustment", confidenceAdjustment, 0.0, 1.0);
    }
}
