package io.engram.query.executor.engine;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Match;
import io.engram.query.api.Query;
import java.util.List;

/**
 * What a spread over one space found.
 *
 * @param matches the activated memories of the space (seeds excluded), best first, at most the query's limit
 * @param frontier the best activation per memory outside the space that an edge from the space reached
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
