package io.engram.query.aggregation;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Confidence;
import io.engram.query.api.Coverage;
import io.engram.query.api.Match;
import java.util.List;

/**
 * The merged answer of a query's partitions, before the executor adds plan, latency and per-partition outcomes.
 *
 * @param matches the best {@code limit} merged matches, confidence descending then memory id ascending
 * @param baseConfidence the merge policy's confidence in {@code matches}, before the coverage penalty
 * @param confidence {@code baseConfidence × (1 − λ × (1 − coverage.ratio()))}
 * @param coverage what answered and what is missing
 * @param droppedForeignMatches matches dropped because their space was not the space of the partition that returned
 *     them
 * @param truncatedMatches matches dropped because a partition returned more than {@code limit}
 */
public record AggregatedAnswer(
        List<Match> matches,
        Confidence baseConfidence,
        Confidence confidence,
        Coverage coverage,
        long droppedForeignMatches,
        long truncatedMatches) {
    public AggregatedAnswer {
        matches = List.copyOf(requireNonNull(matches, "matches is null"));
        requireNonNull(baseConfidence, "base confidence is null");
        requireNonNull(confidence, "confidence is null");
        requireNonNull(coverage, "coverage is null");
        if (droppedForeignMatches < 0) {
            throw new IllegalArgumentException("dropped foreign matches must be >= 0, got " + droppedForeignMatches);
        }
        if (truncatedMatches < 0) {
            throw new IllegalArgumentException("truncated matches must be >= 0, got " + truncatedMatches);
        }
    }
}
