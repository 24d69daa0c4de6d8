package io.engram.query.executor.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

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
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.SpreadStart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HostEngineTest {
    private static final NodeId NODE = NodeId.of("n1");
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final MemorySpaceId S2 = MemorySpaceId.of("s2");

    @Test
    void importsOnlyTheApiTheSpiAndTheJdk() throws IOException {
        Path source = Path.of("src/test/java/io/engram/query/executor/host/HostEngine.java");
        List<String> lines = Files.readAllLines(source);
        List<String> imports =
                lines.stream().filter(l -> l.startsWith("import ")).toList();
        assertThat(imports).isNotEmpty();
        assertThat(imports)
                .allMatch(
                        l -> Pattern.matches(
                                "import (static )?(io\\.engram\\.query\\.(api|spi)|java)\\.[\\w.]+(\\.\\*)?;", l),
                        "imports only io.engram.query.api, io.engram.query.spi or java.*");
        // and names no other class of ours in full
        String body =
                String.join("\n", lines.subList(lines.indexOf(imports.get(imports.size() - 1)) + 1, lines.size()));
        assertThat(Pattern.compile("io\\.engram\\.query\\.(?!(api|spi)\\b)")
                        .matcher(body)
                        .find())
                .as("a fully qualified name outside the api and spi")
                .isFalse();
    }

    @Test
    void passedDeadlineGivesTheShareScannedAsConfidenceAdjustment() {
        List<HostEngine.Memory> memories = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            memories.add(memory("s1-m" + i, S1, List.of()));
        }
        // Every read of the clock moves it 1 ms; the engine reads the deadline every 10 memories.
        AtomicLong now = new AtomicLong();
        Ticker ticker = () -> now.addAndGet(1_000_000);
        HostEngine engine = new HostEngine(NODE, 2, memories, ticker, 10);
        RecallQuery recall = RecallQuery.of(List.of(), Cue.of(Embedding.of(1, 0)), 1000);
        Deadline deadline = Deadline.after(Duration.ofMillis(4), ticker);

        PartialResult cut = engine.execute(new PartitionRequest("q", S1, deadline, new PartitionTask.Scan(recall)));

        // Clock reads: deadline at 1 ms (due at 5), engine start at 2, checks at memories 0, 10, 20 read 3, 4, 5.
        assertThat(cut.confidenceAdjustment()).isCloseTo(0.2, within(1e-12));
        assertThat(cut.matches()).hasSize(20);
        PartialResult whole = engine.execute(new PartitionRequest(
                "q", S1, Deadline.after(Duration.ofSeconds(10), ticker), new PartitionTask.Scan(recall)));
        assertThat(whole.confidenceAdjustment()).isEqualTo(1.0);
        assertThat(whole.matches()).hasSize(100);
    }

    @Test
    void spreadStepReturnsEveryContributionUncombined() {
        HostEngine engine = new HostEngine(
                NODE,
                2,
                List.of(
                        memory(
                                "s1-m0",
                                S1,
                                List.of(
                                        new HostEngine.Edge(MemoryId.of("s1-m1"), 0.5),
                                        new HostEngine.Edge(MemoryId.of("s2-m0"), 0.001),
                                        new HostEngine.Edge(MemoryId.of("x-1"), 1.0))),
                        memory("s1-m1", S1, List.of(new HostEngine.Edge(MemoryId.of("s1-m0"), 1.0))),
                        memory("s2-m0", S2, List.of())));
        SpreadQuery spread =
                new SpreadQuery(List.of(MemoryId.of("s1-m0")), List.of(), 2, 0.2, 0.5, QueryOptions.limit(1));
        PartialResult step = engine.execute(new PartitionRequest(
                "q",
                S1,
                Deadline.after(Duration.ofSeconds(10)),
                new PartitionTask.SpreadStep(
                        spread,
                        List.of(
                                new SpreadStart(MemoryId.of("s1-m0"), 1.0, 1),
                                new SpreadStart(MemoryId.of("s1-m1"), 0.4, 1),
                                new SpreadStart(MemoryId.of("s1-m1"), 0.3, 2),
                                new SpreadStart(MemoryId.of("s2-m0"), 0.9, 1)))));

        // The seed is not returned; both activations of s1-m1 are, past the limit; s2-m0 is not this space's.
        assertThat(step.matches()).extracting(m -> m.activation().getAsDouble()).containsExactly(0.4, 0.3);
        // Below the threshold and local targets included; the one at max hops does not flow.
        assertThat(step.frontier())
                .extracting(c ->
                        c.memory() + " in " + c.space().map(Object::toString).orElse("?") + " at " + c.hopsUsed())
                .containsExactly("s1-m1 in s1 at 2", "s2-m0 in s2 at 2", "x-1 in ? at 2", "s1-m0 in s1 at 2");
        double[] activations = {0.4, 0.0008, 0.8, 0.32};
        for (int i = 0; i < activations.length; i++) {
            assertThat(step.frontier().get(i).activation())
                    .as("crossing " + i)
                    .isCloseTo(activations[i], within(1e-12));
        }
    }

    @Test
    void refusesASpaceItDoesNotHoldAndACueOfTheWrongLength() {
        HostEngine engine = new HostEngine(NODE, 2, List.of(memory("s1-m0", S1, List.of())));
        RecallQuery recall = RecallQuery.of(List.of(), Cue.of(Embedding.of(1, 0, 0)), 10);
        Deadline deadline = Deadline.after(Duration.ofSeconds(10));

        assertThatThrownBy(() -> engine.execute(new PartitionRequest("q", recall, S2, deadline)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("space 's2' is not held by the host engine of node n1; it holds [s1]");
        assertThatThrownBy(() -> engine.execute(new PartitionRequest("q", recall, S1, deadline)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cue embedding must have 2 dimensions, got 3");
    }

    private static HostEngine.Memory memory(String id, MemorySpaceId space, List<HostEngine.Edge> edges) {
        return new HostEngine.Memory(MemoryId.of(id), space, new float[] {1, 0}, id, Map.of(), edges);
    }
}
