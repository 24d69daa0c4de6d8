package io.engram.query.benchmarks.aggregation;

import io.engram.query.aggregation.AggregatedAnswer;
import io.engram.query.aggregation.AggregationPlugin;
import io.engram.query.aggregation.Aggregator;
import io.engram.query.aggregation.consistency.BestEffortConsistency;
import io.engram.query.aggregation.merge.MatchOrder;
import io.engram.query.aggregation.merge.MergePolicyRegistry;
import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.spi.ConsistencyPolicy;
import io.engram.query.spi.MergePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Merging 64 partial results of 1,000 matches each (best first, as partitions send them) into the top 100. Each
 * partial is first cut to its best 100 (a partition may not contribute more than the limit), so the cost per match
 * covers the check-and-cut of all 1,000 and the merge of 100. Memory ids are drawn from a pool of 16,000 so that
 * memories repeat across partitions and {@code noisy-or} has evidence to combine. Reported per match received.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BenchmarkAggregation {
    private static final int PARTIALS = 64;
    private static final int MATCHES_PER_PARTIAL = 1_000;
    private static final int LIMIT = 100;
    private static final int MEMORY_POOL = 16_000;

    @Param({"max", "noisy-or"})
    public String policy;

    private MergePolicy mergePolicy;
    private final ConsistencyPolicy consistency = new BestEffortConsistency();
    private List<MemorySpaceId> spaces;
    private List<PartialResult> partials;

    @Setup
    public void setUp() {
        mergePolicy = new MergePolicyRegistry(new AggregationPlugin().mergePolicies()).get(policy);
        Random random = new Random(42);
        spaces = new ArrayList<>();
        partials = new ArrayList<>();
        for (int p = 0; p < PARTIALS; p++) {
            MemorySpaceId space = MemorySpaceId.of("space-" + p);
            spaces.add(space);
            Set<Integer> ids = new HashSet<>();
            List<Match> matches = new ArrayList<>(MATCHES_PER_PARTIAL);
            while (matches.size() < MATCHES_PER_PARTIAL) {
                int id = random.nextInt(MEMORY_POOL);
                if (ids.add(id)) {
                    matches.add(Match.of(
                            MemoryId.of("memory-" + id),
                            space,
                            Confidence.of(random.nextDouble()),
                            "content of memory " + id));
                }
            }
            matches.sort(MatchOrder.BEST_FIRST);
            partials.add(new PartialResult(space, NodeId.of("node-" + p), matches, 1.0, Duration.ofMillis(5)));
        }
    }

    @Benchmark
    @OperationsPerInvocation(PARTIALS * MATCHES_PER_PARTIAL)
    public AggregatedAnswer mergeIntoTopHundred() {
        Aggregator aggregator = new Aggregator(spaces, LIMIT, mergePolicy, consistency, 1.0);
        for (PartialResult partial : partials) {
            aggregator.accept(partial);
        }
        return aggregator.finish();
    }
}
