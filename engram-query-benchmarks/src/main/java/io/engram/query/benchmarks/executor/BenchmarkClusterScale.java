package io.engram.query.benchmarks.executor;

import io.engram.query.api.QueryResult;
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
 * One broadcast recall at a time over {@code nodes} simulated nodes holding {@code spacesPerNode} spaces each
 * ({@link ScaleCluster}: one request per node, 1 ± 0.2 ms each). JMH gives the latency; {@code -prof gc} the
 * allocation per query. {@link ClusterScale} measures the coordinator's CPU, allocation, plan time and memory per query
 * in flight by size for the benchmarks page.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx3g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BenchmarkClusterScale {
    @Param({"10", "100", "1000"})
    public int nodes;

    @Param({"10", "100"})
    public int spacesPerNode;

    private ScaleCluster cluster;

    @Setup
    public void setUp() {
        cluster = new ScaleCluster(nodes, spacesPerNode);
    }

    @TearDown
    public void tearDown() {
        cluster.close();
    }

    @Benchmark
    public QueryResult broadcast() {
        return cluster.service().execute(cluster.broadcast()).join();
    }
}
