package io.engram.query.benchmarks.transport;

import io.engram.query.api.Confidence;
import io.engram.query.api.Deadline;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.SpreadCrossing;
import io.engram.query.api.SpreadQuery;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.SpreadStart;
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
 * crossings into 8 other spaces, in JSON and Smile; and the next round's partition request carrying those crossings
 * as {@code spread_starts}. Reported per message.
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
    private PartitionRequest request;
    private byte[] requestBody;
    private final Deadline deadline = Deadline.after(Duration.ofHours(1));

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
        // The next round's request: the frontier comes back as spread starts (all of it in one request: an upper
        // bound).
        List<SpreadStart> starts = new ArrayList<>(crossings);
        for (SpreadCrossing crossing : frontier) {
            starts.add(new SpreadStart(crossing.memory(), crossing.activation(), crossing.hopsUsed()));
        }
        SpreadQuery query = SpreadQuery.of(
                List.of(MemoryId.of("tenant-7.space-3:memory-1"), MemoryId.of("tenant-7.space-3:memory-2")),
                List.of(space, MemorySpaceId.of("tenant-7.space-4")),
                100);
        request = new PartitionRequest("q-123456", space, deadline, new PartitionTask.SpreadRun(query, starts));
        requestBody = wire.writePartitionRequest(request);
    }

    @Benchmark
    public byte[] write() {
        return wire.writePartialResult(partial);
    }

    @Benchmark
    public PartialResult read() {
        return wire.readPartialResult(body);
    }

    /** The same query each time: the JSON writer reuses its text, as in a coordinator's fan-out. */
    @Benchmark
    public byte[] writeRequest() {
        return wire.writePartitionRequest(request);
    }

    @Benchmark
    public PartitionRequest readRequest() {
        return wire.readPartitionRequest(requestBody, deadline);
    }
}
