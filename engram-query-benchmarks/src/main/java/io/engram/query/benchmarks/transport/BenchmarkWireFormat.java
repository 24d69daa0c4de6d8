package io.engram.query.benchmarks.transport;

import io.engram.query.api.Confidence;
import io.engram.query.api.Coverage;
import io.engram.query.api.Cue;
import io.engram.query.api.Embedding;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.PartitionOutcome;
import io.engram.query.api.PartitionStatus;
import io.engram.query.api.PlanStrategy;
import io.engram.query.api.Query;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryResult;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadCrossing;
import io.engram.query.transport.http.json.WireFormat;
import io.engram.query.transport.http.json.WireLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JSON codec on the client query path: reading a client's recall query (a 768-float embedding, about 6 KB) and
 * writing its result (10 matches, 4 partitions, one missing); and on the node-to-node path, a partial result of 100
 * matches and 300 frontier crossings, read and written. Reported per message. Until it was deleted, the hand-written
 * codec that databind replaced was measured beside it in the same run (bench/FINDINGS.md, 2026-12-03).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class BenchmarkWireFormat {
    private WireFormat wire;
    private byte[] queryBody;
    private QueryResult result;
    private PartialResult partial;
    private byte[] partialBody;

    @Setup
    public void setUp() {
        WireLimits limits = WireLimits.defaults();
        wire = WireFormat.json(limits);
        Random random = new Random(42);
        float[] cue = new float[768];
        for (int i = 0; i < cue.length; i++) {
            cue[i] = (float) random.nextGaussian();
        }
        List<MemorySpaceId> spaces = List.of(space(1), space(2), space(3), space(4));
        RecallQuery query = new RecallQuery(
                spaces,
                Cue.of(Embedding.of(cue)),
                Confidence.of(0.1),
                QueryOptions.limit(10).withTimeout(Duration.ofMillis(500)).withConsistency("best-effort"));
        queryBody = wire.writeQuery(query);
        result = result(random);
        partial = partial(random);
        partialBody = wire.writePartialResult(partial);
    }

    private static MemorySpaceId space(int i) {
        return MemorySpaceId.of("tenant-7.space-" + i);
    }

    private static QueryResult result(Random random) {
        List<Match> matches = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            double similarity = random.nextDouble();
            matches.add(new Match(
                    MemoryId.of("tenant-7.space-" + (1 + i % 3) + ":memory-" + random.nextInt(1_000_000)),
                    space(1 + i % 3),
                    Confidence.of(similarity),
                    "met ana for coffee at the corner cafe #" + i,
                    OptionalDouble.empty(),
                    OptionalDouble.of(similarity),
                    Map.of("who", "ana"),
                    Optional.empty()));
        }
        List<PartitionOutcome> outcomes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            outcomes.add(new PartitionOutcome(
                    space(i),
                    Optional.of(NodeId.of("node-" + i)),
                    PartitionStatus.OK,
                    Duration.ofMillis(3),
                    1,
                    false,
                    1.0));
        }
        outcomes.add(new PartitionOutcome(
                space(4),
                Optional.of(NodeId.of("node-4")),
                PartitionStatus.TIMEOUT,
                Duration.ofMillis(500),
                2,
                true,
                0.0));
        Coverage coverage = new Coverage(
                4,
                3,
                0.75,
                List.of(MissingPartition.of(space(4), NodeId.of("node-4"), MissingReason.TIMEOUT, "no answer")));
        return new QueryResult(
                matches,
                Confidence.of(0.7),
                Confidence.of(0.93),
                coverage,
                PlanStrategy.BROADCAST,
                "best-effort",
                Duration.ofMillis(12),
                outcomes);
    }

    /** One round of a distributed spread, as {@link BenchmarkPartialResultCodec} has it. */
    private static PartialResult partial(Random random) {
        MemorySpaceId space = MemorySpaceId.of("tenant-7.space-3");
        List<Match> found = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            double activation = random.nextDouble();
            found.add(new Match(
                    MemoryId.of("tenant-7.space-3:memory-" + random.nextInt(1_000_000)),
                    space,
                    Confidence.of(activation),
                    "met ana for coffee at the corner cafe #" + i,
                    OptionalDouble.of(activation),
                    OptionalDouble.empty(),
                    Map.of(),
                    Optional.empty()));
        }
        List<SpreadCrossing> frontier = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int target = random.nextInt(8);
            frontier.add(new SpreadCrossing(
                    MemoryId.of("tenant-7.space-" + target + ":memory-" + random.nextInt(1_000_000)),
                    Optional.of(MemorySpaceId.of("tenant-7.space-" + target)),
                    random.nextDouble(),
                    1 + random.nextInt(3)));
        }
        return new PartialResult(space, NodeId.of("node-12"), found, 1.0, Duration.ofMillis(4), frontier);
    }

    @Benchmark
    public Query readQuery() {
        return wire.readQuery(queryBody);
    }

    @Benchmark
    public byte[] writeResult() {
        return wire.writeResult(result);
    }

    @Benchmark
    public PartialResult readPartialResult() {
        return wire.readPartialResult(partialBody);
    }

    @Benchmark
    public byte[] writePartialResult() {
        return wire.writePartialResult(partial);
    }
}
