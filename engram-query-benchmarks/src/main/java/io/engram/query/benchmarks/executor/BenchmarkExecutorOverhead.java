package io.engram.query.benchmarks.executor;

import io.engram.query.api.Cue;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.QueryResult;
import io.engram.query.api.QueryService;
import io.engram.query.api.RecallQuery;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.spi.SpaceAssignment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The executor's own cost per query: a recall over {@code fanout} spaces, one per node, through the full
 * {@link io.engram.query.api.QueryService} (deadline, plan, scatter with the Failsafe call policy, merge, consistency,
 * metrics), where every node answers at once with three fixed matches ({@link InstantTransport}). Nothing but the
 * coordinator's work is left in the figure.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BenchmarkExecutorOverhead {
    @Param({"1", "4", "16", "64"})
    public int fanout;

    private Coordinator coordinator;
    private QueryService service;
    private RecallQuery query;

    @Setup
    public void setUp() {
        List<SpaceAssignment> assignments = new ArrayList<>();
        List<MemorySpaceId> spaces = new ArrayList<>();
        for (int i = 1; i <= fanout; i++) {
            MemorySpaceId space = MemorySpaceId.of("s" + i);
            spaces.add(space);
            assignments.add(new SpaceAssignment(space, NodeId.of("n" + i), List.of()));
        }
        coordinator = new Coordinator(QueryConfig.defaults(), assignments, new InstantTransport(spaces));
        service = coordinator.service();
        query = RecallQuery.of(spaces, Cue.of("benchmark"), 10);
    }

    @TearDown
    public void tearDown() {
        coordinator.close();
    }

    @Benchmark
    public QueryResult recall() {
        QueryResult result = service.execute(query).join();
        if (result.coverage().respondingPartitions() != fanout) {
            throw new IllegalStateException("expected " + fanout + " partitions to answer, got " + result.coverage());
        }
        return result;
    }
}
