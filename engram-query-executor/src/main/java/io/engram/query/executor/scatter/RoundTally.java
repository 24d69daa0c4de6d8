package io.engram.query.executor.scatter;

import static java.util.Objects.requireNonNull;

import io.engram.query.aggregation.CoveragePenalty;
import io.engram.query.api.Confidence;
import io.engram.query.api.ConsistencyException;
import io.engram.query.api.Coverage;
import io.engram.query.api.Match;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.PartitionOutcome;
import io.engram.query.api.PartitionStatus;
import io.engram.query.api.QueryResult;
import io.engram.query.api.SpreadStats;
import io.engram.query.api.Ticker;
import io.engram.query.spi.ConsistencyPolicy;
import io.engram.query.spi.CoverageProgress;
import io.engram.query.spi.MergePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Adds up the scatters of a query that runs in several (spread rounds, imagine's seed fetch and recall) into one
 * answer: every round's partitions count in the coverage, a missing partition's detail says which round lost it, and
 * the consistency policy and the coverage penalty apply to the whole.
 */
public final class RoundTally {
    private final ScatterGatherExecutor executor;
    private final Ticker ticker;
    private final long startNanos;
    private final List<MissingPartition> missing = new ArrayList<>();
    private final List<PartitionOutcome> outcomes = new ArrayList<>();
    private int expected;
    private int responding;
    private double adjustments;

    public RoundTally(ScatterGatherExecutor executor, Ticker ticker, long startNanos) {
        this.executor = requireNonNull(executor, "executor is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.startNanos = startNanos;
    }

    /** Counts one round's partitions; {@code label} prefixes the detail of each partition it lost. */
    public RoundTally add(QueryResult round, String label) {
        Coverage coverage = round.coverage();
        expected += coverage.expectedPartitions();
        responding += coverage.respondingPartitions();
        adjustments += coverage.ratio() * coverage.expectedPartitions();
        for (MissingPartition m : coverage.missing()) {
            String detail = label.isEmpty() || m.detail().isEmpty() ? label + m.detail() : label + ": " + m.detail();
            missing.add(new MissingPartition(m.space(), m.node(), m.reason(), detail));
        }
        outcomes.addAll(round.partitions());
        return this;
    }

    /** Counts a partition that should have been asked but never was (its round did not start). */
    public RoundTally addUnstarted(MissingPartition partition) {
        expected++;
        missing.add(partition);
        outcomes.add(new PartitionOutcome(
                partition.space(),
                partition.node(),
                PartitionStatus.of(partition.reason()),
                Duration.ZERO,
                0,
                false,
                0));
        return this;
    }

    /**
     * Completes {@code result} with {@code matches} (already ordered and limited) under the whole coverage, or fails
     * it with a {@link ConsistencyException} when {@code consistency} is not met. {@code shape} gives the strategy
     * and the consistency name reported.
     */
    public void complete(
            CompletableFuture<QueryResult> result,
            List<Match> matches,
            MergePolicy merge,
            ConsistencyPolicy consistency,
            QueryResult shape,
            Optional<SpreadStats> spread) {
        double ratio =
                expected == 0 ? 1.0 : Math.max(0.0, Math.min(adjustments / expected, (double) responding / expected));
        Coverage coverage = new Coverage(expected, responding, ratio, missing);
        if (!consistency.isSatisfied(new CoverageProgress(expected, responding, missing.size()))) {
            result.completeExceptionally(new ConsistencyException(consistency.name(), coverage));
            return;
        }
        Confidence base = requireNonNull(
                merge.baseConfidence(matches),
                () -> "merge policy '" + merge.name() + "' returned a null base confidence");
        Confidence confidence = CoveragePenalty.apply(base, ratio, executor.partialConfidencePenalty());
        result.complete(new QueryResult(
                matches,
                confidence,
                base,
                coverage,
                shape.strategy(),
                shape.consistency(),
                Duration.ofNanos(Math.max(0, ticker.nanoTime() - startNanos)),
                outcomes,
                spread));
    }
}
