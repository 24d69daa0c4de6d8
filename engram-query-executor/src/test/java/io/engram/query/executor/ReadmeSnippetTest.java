package io.engram.query.executor;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.engram.query.api.Confidence;
import io.engram.query.api.Coverage;
import io.engram.query.api.Cue;
import io.engram.query.api.Embedding;
import io.engram.query.api.NodeId;
import io.engram.query.api.QueryResult;
import io.engram.query.api.QueryService;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.Ticker;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.engine.EmbeddedQueryEngine;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.planner.embedded.StaticSpaceDirectory;
import io.engram.query.spi.LocalQueryEngine;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.SpaceDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Runs the "Use it from a host application" snippet of the repository's README.md. The snippet between the markers
 * below and the README's {@code java} block after {@code <!-- ReadmeSnippetTest -->} must stay identical (up to
 * indentation); {@link #readmeShowsThisSnippet} fails when they drift apart.
 */
class ReadmeSnippetTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Path SOURCE =
            Path.of("src", "test", "java", "io", "engram", "query", "executor", "ReadmeSnippetTest.java");
    private static final String BEGIN = "// README snippet begin";
    private static final String END = "// README snippet end";
    private static final String README_MARKER = "<!-- ReadmeSnippetTest -->";

    @Test
    void snippetAnswersARecallWithFullCoverageAndStopsEveryThreadItStarted() {
        Set<Thread> before = QueryNodeTest.queryThreads();
        // README snippet begin
        // The host's own store; here the embedded engine loaded with generated data: 4 spaces of 1,000 memories.
        SyntheticDataGenerator data = new SyntheticDataGenerator(new SyntheticSpec(4, 1_000, 64, 8, 4, 42L));
        NodeId node = NodeId.of("node-1");
        LocalQueryEngine engine = new EmbeddedQueryEngine(node, data.store(), Ticker.system());
        SpaceDirectory directory = new StaticSpaceDirectory(data.spaces().stream()
                .map(space -> new SpaceAssignment(space, node, List.of()))
                .toList());

        Injector injector = Guice.createInjector(new EngramQueryModule(QueryConfig.defaults(), node), binder -> {
            EngramQueryModule.localQueryEngine(binder).toInstance(engine);
            EngramQueryModule.spaceDirectory(binder).toInstance(directory);
        });

        // The QueryNode owns the threads the module started; closing it (when the host stops) stops them.
        QueryResult result;
        try (QueryNode queryNode = injector.getInstance(QueryNode.class)) {
            QueryService queries = queryNode.queryService();
            // Recall across every space (an empty space list is a broadcast), cued by a stored memory's embedding.
            Embedding cue = data.memories(data.spaces().get(0)).get(0).embedding();
            RecallQuery query = RecallQuery.of(List.of(), Cue.of(cue), 10);
            result = queries.execute(query).join();
        }
        Confidence confidence = result.confidence(); // base × (1 − λ × (1 − coverage))
        Coverage coverage = result.coverage(); // expected 4 partitions, 4 responding, ratio 1.0
        // README snippet end

        assertThat(coverage.expectedPartitions()).isEqualTo(4);
        assertThat(coverage.respondingPartitions()).isEqualTo(4);
        assertThat(coverage.ratio()).isEqualTo(1.0);
        assertThat(result.matches()).hasSize(10);
        assertThat(result.matches().get(0).memoryId())
                .isEqualTo(SyntheticDataGenerator.memoryId(data.spaces().get(0), 0));
        assertThat(confidence).isEqualTo(result.baseConfidence());
        assertThat(confidence.value()).isGreaterThan(0.99);
        QueryNodeTest.awaitNoThreadsBut(before);
    }

    @Test
    void readmeShowsThisSnippet() throws IOException {
        List<String> source = Files.readAllLines(SOURCE);
        List<String> snippet = trimmed(source.subList(indexOf(source, BEGIN) + 1, indexOf(source, END)));

        List<String> readme = Files.readAllLines(README);
        int marker = indexOf(readme, README_MARKER);
        assertThat(readme.get(marker + 1).strip()).isEqualTo("```java");
        int close = marker + 2;
        while (!readme.get(close).strip().equals("```")) {
            close++;
        }

        assertThat(trimmed(readme.subList(marker + 2, close))).isEqualTo(snippet);
    }

    private static int indexOf(List<String> lines, String marker) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) {
                return i;
            }
        }
        throw new AssertionError("no line '" + marker + "'");
    }

    private static List<String> trimmed(List<String> lines) {
        return lines.stream().map(String::strip).toList();
    }
}
