package io.engram.query.benchmarks.planner;

import io.engram.query.api.Cue;
import io.engram.query.api.Deadline;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.QueryPlan;
import io.engram.query.api.RecallQuery;
import io.engram.query.planner.CircuitBreakerView;
import io.engram.query.planner.PlannerConfig;
import io.engram.query.planner.PlannerPlugin;
import io.engram.query.planner.PlanningStrategyRegistry;
import io.engram.query.planner.QueryPlanner;
import io.engram.query.planner.embedded.ObservedPartitionDetector;
import io.engram.query.planner.embedded.StaticSpaceDirectory;
import io.engram.query.planner.replica.ReplicaSelector;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Plans a broadcast (a query naming no space) over a rendezvous-placed directory: the planner's worst case, one
 * target per space with replica ordering by latency score. Every node has latency observations and a few nodes are
 * unreachable, so the plan exercises scoring, sorting and the unreachable path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class BenchmarkPlanner {
    @Param({"1000", "10000"})
    public int spaces;

    @Param({"100", "1000"})
    public int nodes;

    @Param({"2"})
    public int replicationFactor;

    private QueryPlanner planner;
    private RecallQuery broadcast;
    private Deadline deadline;

    @Setup
    public void setUp() {
        List<NodeId> nodeIds =
                IntStream.range(0, nodes).mapToObj(i -> NodeId.of("node-" + i)).toList();
        List<MemorySpaceId> spaceIds = IntStream.range(0, spaces)
                .mapToObj(i -> MemorySpaceId.of("space-" + i))
                .toList();
        NodeId local = nodeIds.get(0);
        StaticSpaceDirectory directory = StaticSpaceDirectory.rendezvous(spaceIds, nodeIds, replicationFactor);
        ObservedPartitionDetector detector = new ObservedPartitionDetector(nodeIds, local);
        ReplicaSelector selector = new ReplicaSelector();
        SplittableRandom random = new SplittableRandom(42);
        for (NodeId node : nodeIds) {
            selector.onCallStarted(node);
            selector.onCallSucceeded(node, Duration.ofNanos(1_000L * (200 + random.nextInt(5_000))));
        }
        // One node in fifty is down, so some spaces lose one copy and a few (rf 2) lose both.
        for (int i = 1; i < nodes; i += 50) {
            for (int f = 0; f < ObservedPartitionDetector.DEFAULT_FAILURE_THRESHOLD; f++) {
                detector.recordProbe(nodeIds.get(i), false);
            }
        }
        planner = new QueryPlanner(
                local,
                directory,
                detector,
                CircuitBreakerView.none(),
                selector,
                new PlanningStrategyRegistry(new PlannerPlugin().planningStrategies()),
                PlannerConfig.defaults());
        broadcast = RecallQuery.of(List.of(), Cue.of("benchmark"), 10);
        deadline = Deadline.after(Duration.ofMinutes(5));
    }

    @Benchmark
    public QueryPlan planBroadcast() {
        return planner.plan(broadcast, deadline);
    }
}
