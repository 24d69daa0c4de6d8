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
 * The latency distribution of one query fanned out to {@code fanout} partitions in the Tail-at-Scale setting
 * ({@link TailAtScaleCluster}: 1 ms calls, 1% of them 100 ms late), hedging off and at the 95th percentile. JMH's
 * sample mode gives p50/p99/p99.9; {@link TailAtScale} gives the share of slow queries and the extra requests, which
 * JMH can not count per query.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 4)
public class BenchmarkTailLatency {
    @Param({"100"})
    public int fanout;

    @Param({"off", "p95"})
    public String hedge;

    private TailAtScaleCluster cluster;

    @Setup
    public void setUp() {
        cluster = new TailAtScaleCluster(fanout, hedge);
    }

    @TearDown
    public void tearDown() {
        cluster.close();
    }

    @Benchmark
    public QueryResult query() {
        return cluster.service().execute(cluster.query()).join();
    }
}
