package io.engram.query.benchmarks.transport;

import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Writing (on the data node) and reading (on the coordinator) the partial result of one round of a distributed
 * spread: {@code matches} matches with a ~40-character content and an activation, and {@code crossings} frontier
 * crossings into 8 other spaces, in JSON and Smile. Reported per partial result.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BenchmarkPartialResultCodec {
    @Param({"json", "smile"})
    public String format;

    @Param({"100"})
    public int matches;

    @Param({"300"})
    public int crossings;

    private WireFormat wire;
    private PartialResult partial;
    private byte[] body;

    @Setup
    public void setUp() {
        wire = format.equals("json") ? WireFormat.json(WireLimits.defaults()) : WireFormat.smile(WireLimits.defaults());
        Random random = new Random(42);
        MemorySpaceId space = MemorySpaceId.of("tenant-7.space-3");
        List<Match> found = new ArrayList<>(matches);
        for (int i = 0; i < matches; i++) {
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
        List<SpreadCrossing> frontier = new ArrayList<>(crossings);
        for (int i = 0; i < crossings; i++) {
            int target = random.nextInt(8);
            frontier.add(new SpreadCrossing(
                    MemoryId.of("tenant-7.space-" + target + ":memory-" + random.nextInt(1_000_000)),
                    Optional.of(MemorySpaceId.of("tenant-7.space-" + target)),
                    random.nextDouble(),
                    1 + random.nextInt(3)));
        }
        partial = new PartialResult(space, NodeId.of("node-12"), found, 1.0, Duration.ofMillis(4), frontier);
        body = wire.writePartialResult(partial);
    }

    @Benchmark
    public byte[] write() {
        return wire.writePartialResult(partial);
    }

    @Benchmark
    public PartialResult read() {
        return wire.readPartialResult(body);
    }
}
