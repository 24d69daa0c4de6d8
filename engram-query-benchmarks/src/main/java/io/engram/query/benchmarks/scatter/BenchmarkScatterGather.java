package io.engram.query.benchmarks.scatter;

import io.engram.query.api.QueryResult;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The same queries over the same four spaces, answered two ways ({@link Deployment}): {@code local}, one node holding
 * all four spaces, and {@code distributed}, a coordinator holding none and four data nodes holding one space each,
 * reached over loopback tcp or HTTP ({@code transport}), all five in this JVM and so sharing its cores. A recall of
 * the top 10 for a cue taken from the data; a spread of 3 hops from one seed per space, the top 100 (about 230
 * memories activated with {@code heavy}, so the network's round trips dominate); and a wide spread of 3 hops from 50
 * seeds per space, the top 100 (about 11,000 memories activated with {@code heavy}, 2,900 with {@code light}, so the
 * spreading itself weighs).
 * Sample mode: the mean and the percentiles of single queries, one at a time. Each benchmark method builds only its own
 * deployment, in its own fork.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx6g")
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
public class BenchmarkScatterGather {
    /**
     * The distributed side warms up for 40 s: five nodes' HTTP, codec and executor paths take that long to compile on
     * two cores (a wide spread measured 14, 7.7, 5.3, 4.5, 3.8, 3.0, 2.6 ms in warm-up iterations 2 to 17 of 2 s, then
     * 2.1 to 2.3 ms), while the local side is steady after a few seconds.
     */
    static final int DISTRIBUTED_WARMUP_ITERATIONS = 20;

    /** One node holding every space. */
    @State(Scope.Benchmark)
    public static class Local {
        @Param({"light", "heavy"})
        public String dataset;

        Deployment deployment;

        @Setup(Level.Trial)
        public void setUp() {
            deployment = Deployment.local(Dataset.parse(dataset));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            deployment.close();
        }
    }

    /** A coordinator and four data nodes on loopback, calling each other over {@code transport}. */
    @State(Scope.Benchmark)
    public static class Distributed {
        @Param({"light", "heavy"})
        public String dataset;

        /** {@code transport.type} between the nodes: tcp (the product's default) or http. */
        @Param({"tcp", "http"})
        public String transport;

        /** {@code transport.http.format} (with {@code transport = http}): smile (the product's default) or json. */
        @Param({"smile"})
        public String format;

        /** {@code transport.http.h2c}. */
        @Param({"false"})
        public boolean h2c;

        /** {@code query.compute_threads} of each node (0: one per core). */
        @Param({"0"})
        public int computeThreads;

        Deployment deployment;

        @Setup(Level.Trial)
        public void setUp() {
            deployment = Deployment.distributed(
                    Dataset.parse(dataset),
                    transport,
                    Map.of("format", "\"" + format + "\"", "h2c", String.valueOf(h2c)),
                    computeThreads);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            deployment.close();
        }
    }

    /** Bare loopback HTTP exchanges in the distributed one-seed spread's rounds: the floor under {@code spreadDistributed}. */
    @State(Scope.Benchmark)
    public static class Floor {
        @Param({"light", "heavy"})
        public String dataset;

        LoopbackExchanges exchanges;

        @Setup(Level.Trial)
        public void setUp() {
            exchanges = new LoopbackExchanges(Dataset.parse(dataset).spreadCallsPerRound());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            exchanges.close();
        }
    }

    @Benchmark
    public QueryResult recallLocal(Local state) {
        return state.deployment.answerInFull(state.deployment.recall());
    }

    @Benchmark
    @Warmup(iterations = DISTRIBUTED_WARMUP_ITERATIONS, time = 2)
    public QueryResult recallDistributed(Distributed state) {
        return state.deployment.answerInFull(state.deployment.recall());
    }

    @Benchmark
    public QueryResult spreadLocal(Local state) {
        return state.deployment.answerInFull(state.deployment.spread());
    }

    @Benchmark
    @Warmup(iterations = DISTRIBUTED_WARMUP_ITERATIONS, time = 2)
    public QueryResult spreadDistributed(Distributed state) {
        return state.deployment.answerInFull(state.deployment.spread());
    }

    /**
     * The same number of HTTP exchanges per round as {@link #spreadDistributed}, with nothing else: what the spread
     * can not go below on this machine whatever its codec, engine and executor cost (the ratio to {@link #spreadLocal}
     * is the least the distributed spread can measure).
     */
    @Benchmark
    @Warmup(iterations = DISTRIBUTED_WARMUP_ITERATIONS, time = 2)
    public long spreadFloor(Floor state) {
        return state.exchanges.runRounds();
    }

    /** The same exchanges as {@link #spreadFloor} as frames over plain TCP sockets: what HTTP adds to the floor. */
    @State(Scope.Benchmark)
    public static class SocketFloor {
        @Param({"light", "heavy"})
        public String dataset;

        LoopbackSockets sockets;

        @Setup(Level.Trial)
        public void setUp() {
            sockets = new LoopbackSockets(Dataset.parse(dataset).spreadCallsPerRound());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            sockets.close();
        }
    }

    /**
     * {@link #spreadFloor} without HTTP: the least a binary node-to-node protocol could cost here (the product has
     * none; see {@link LoopbackSockets}).
     */
    @Benchmark
    public long spreadFloorSockets(SocketFloor state) {
        return state.sockets.runRounds();
    }

    @Benchmark
    public QueryResult spreadWideLocal(Local state) {
        return state.deployment.answerInFull(state.deployment.wideSpread());
    }

    @Benchmark
    @Warmup(iterations = DISTRIBUTED_WARMUP_ITERATIONS, time = 2)
    public QueryResult spreadWideDistributed(Distributed state) {
        return state.deployment.answerInFull(state.deployment.wideSpread());
    }
}
