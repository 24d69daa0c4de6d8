package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The answer to a query, complete or partial.
 *
 * @param matches merged by memory id, confidence descending then memory id
 * @param confidence the final confidence: {@code base × (1 − λ × (1 − coverage))}
 * @param baseConfidence the merge policy's confidence in the merged answer before any coverage penalty
 * @param coverage what answered and what is missing
 * @param strategy the plan's shape
 * @param consistency the consistency policy applied
 * @param latency from arrival at the coordinator to the answer
 * @param partitions the outcome of every expected partition (for a spread, of every round: a space asked in several
 *     rounds appears once per round)
 * @param spread for a spread: how many rounds ran and whether it stopped early; empty for other queries
 */
public record QueryResult(
        List<Match> matches,
        Confidence confidence,
        Confidence baseConfidence,
        Coverage coverage,
        PlanStrategy strategy,
        String consistency,
        Duration latency,
        List<PartitionOutcome> partitions,
        Optional<SpreadStats> spread) {
    public QueryResult {
        matches = List.copyOf(requireNonNull(matches, "matches is null"));
        requireNonNull(confidence, "confidence is null");
        requireNonNull(baseConfidence, "base confidence is null");
        requireNonNull(coverage, "coverage is null");
        requireNonNull(strategy, "strategy is null");
        requireNonNull(consistency, "consistency is null");
        requireNonNull(latency, "latency is null");
        partitions = List.copyOf(requireNonNull(partitions, "partitions is null"));
        requireNonNull(spread, "spread is null");
    }

    /** A result without spread statistics. */
    public QueryResult(
            List<Match> matches,
            Confidence confidence,
            Confidence baseConfidence,
            Coverage coverage,
            PlanStrategy strategy,
            String consistency,
            Duration latency,
            List<PartitionOutcome> partitions) {
        this(
                matches,
                confidence,
                baseConfidence,
                coverage,
                strategy,
                consistency,
                latency,
                partitions,
                Optional.empty());
    }
}
