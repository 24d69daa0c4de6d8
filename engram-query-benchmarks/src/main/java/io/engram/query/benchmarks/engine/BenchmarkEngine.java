package io.engram.query.benchmarks.engine;

import io.engram.query.api.Cue;
import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadQuery;
import io.engram.query.api.Ticker;
import io.engram.query.executor.engine.EmbeddedQueryEngine;
import io.engram.query.executor.engine.Memory;
import io.engram.query.executor.engine.MemoryStore;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.spi.PartitionRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The embedded engine on one space: recall (top 10 by cosine over {@code memories × dimensions}) against a naive
 * baseline measured in the same run (one accumulator per dot product over per-memory arrays, then a full sort), and
 * spread ({@code memories × edgesPerMemory} edges, 3 hops, default decay and threshold).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BenchmarkEngine {
    private static final NodeId NODE = NodeId.of("bench");
    private static final MemorySpaceId SPACE = MemorySpaceId.of("s1");

    @State(Scope.Benchmark)
    public static class RecallState {
        @Param("25000")
        public int memories;

        @Param("768")
        public int dimensions;

        EmbeddedQueryEngine engine;
        PartitionRequest request;
        List<float[]> naiveVectors;
        float[] cue;

        @Setup
        public void setUp() {
            SyntheticDataGenerator generator =
                    new SyntheticDataGenerator(new SyntheticSpec(1, memories, dimensions, 50, 0, 7));
            MemoryStore store = generator.store();
            engine = new EmbeddedQueryEngine(NODE, store, Ticker.system());
            SplittableRandom random = new SplittableRandom(1);
            cue = new float[dimensions];
            for (int d = 0; d < dimensions; d++) {
                cue[d] = (float) (random.nextDouble() * 2 - 1);
            }
            request = new PartitionRequest(
                    "bench",
                    RecallQuery.of(List.of(SPACE), Cue.of(Embedding.of(cue)), 10),
                    SPACE,
                    Deadline.after(Duration.ofHours(1)));
            naiveVectors = new ArrayList<>(memories);
            for (Memory memory : generator.memories(SPACE)) {
                naiveVectors.add(memory.embedding().toArray());
            }
        }
    }

    @State(Scope.Benchmark)
    public static class SpreadState {
        @Param("25000")
        public int memories;

        @Param("4")
        public int edgesPerMemory;

        @Param({"1", "100"})
        public int seeds;

        EmbeddedQueryEngine engine;
        PartitionRequest request;

        @Setup
        public void setUp() {
            MemoryStore store =
                    new SyntheticDataGenerator(new SyntheticSpec(1, memories, 8, 50, edgesPerMemory, 7)).store();
            engine = new EmbeddedQueryEngine(NODE, store, Ticker.system());
            List<MemoryId> seedIds = new ArrayList<>();
            for (int i = 0; i < seeds; i++) {
                seedIds.add(SyntheticDataGenerator.memoryId(SPACE, i * (memories / seeds)));
            }
            request = new PartitionRequest(
                    "bench",
                    new SpreadQuery(
                            seedIds,
                            List.of(SPACE),
                            3,
                            SpreadQuery.DEFAULT_DECAY,
                            SpreadQuery.DEFAULT_THRESHOLD,
                            QueryOptions.limit(100)),
                    SPACE,
                    Deadline.after(Duration.ofHours(1)));
        }
    }

    @Benchmark
    public PartialResult recall(RecallState state) {
        return state.engine.execute(state.request);
    }

    /** Baseline: one accumulator per dot product over per-memory arrays, a full sort, then the top 10. */
    @Benchmark
    public int[] recallNaiveBaseline(RecallState state) {
        float[] cue = state.cue;
        int n = state.naiveVectors.size();
        double cueNorm = 0;
        for (float v : cue) {
            cueNorm += v * v;
        }
        cueNorm = Math.sqrt(cueNorm);
        double[] scores = new double[n];
        for (int i = 0; i < n; i++) {
            float[] x = state.naiveVectors.get(i);
            double dot = 0;
            double norm = 0;
            for (int d = 0; d < cue.length; d++) {
                dot += cue[d] * x[d];
                norm += x[d] * x[d];
            }
            scores[i] = dot / (cueNorm * Math.sqrt(norm));
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        int[] top = new int[10];
        for (int i = 0; i < top.length; i++) {
            top[i] = order[i];
        }
        return top;
    }

    @Benchmark
    public PartialResult spread(SpreadState state) {
        return state.engine.execute(state.request);
    }
}
