package io.engram.query.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.Confidence;
import io.engram.query.api.Embedding;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import java.io.IOException;
import java.io.StringReader;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonLinesLoaderTest {
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final MemorySpaceId S2 = MemorySpaceId.of("s2");
    private static final Set<MemorySpaceId> KNOWN = Set.of(S1, S2);

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(JsonLinesLoaderTest.class.getResource("/engine/" + name).toURI());
    }

    @Test
    void loadsAGoodFile() throws Exception {
        MemoryStore.Builder builder = MemoryStore.builder(3);
        LoadReport report = new JsonLinesLoader(3, KNOWN, s -> true).load(resource("good.jsonl"), builder);
        MemoryStore store = builder.build();

        assertThat(report.errors()).isEmpty();
        assertThat(report.requireNoErrors()).isSameAs(report);
        assertThat(report.lines()).isEqualTo(5);
        assertThat(report.loaded()).isEqualTo(4);
        assertThat(store.memory(MemoryId.of("m1")))
                .contains(new Memory(
                        MemoryId.of("m1"),
                        S1,
                        Embedding.of(1, 0, 0),
                        "Coffee with Ana",
                        Confidence.of(0.9),
                        Map.of("who", "ana"),
                        List.of(Edge.of("m2", 0.8))));
        Memory m3 = store.memory(MemoryId.of("m3")).orElseThrow();
        assertThat(m3.space()).isEqualTo(S2);
        assertThat(m3.content()).isEmpty();
        assertThat(m3.confidence()).isEqualTo(Confidence.CERTAIN);
        assertThat(m3.embedding()).isEqualTo(Embedding.of(0, 0, 1e-3f));
        assertThat(store.memory(MemoryId.of("m2")).orElseThrow().edges())
                .containsExactly(Edge.of("m3", 0.5), Edge.of("x9", 1.0));
    }

    @Test
    void loadsOnlyTheSpacesItHolds() throws Exception {
        MemoryStore.Builder builder = MemoryStore.builder(3);
        LoadReport report = new JsonLinesLoader(3, KNOWN, S2::equals).load(resource("good.jsonl"), builder);

        assertThat(report.loaded()).isEqualTo(2);
        assertThat(report.skipped()).isEqualTo(2);
        assertThat(builder.build().spaces()).containsExactly(S2);
    }

    @Test
    void reportsEveryBadLineWithItsNumberAndReason() throws Exception {
        MemoryStore.Builder builder = MemoryStore.builder(3);
        LoadReport report = new JsonLinesLoader(3, KNOWN, s -> true).load(resource("bad.jsonl"), builder);

        assertThat(report.loaded()).isEqualTo(2);
        assertThat(builder.build().memory(MemoryId.of("m18"))).isPresent();
        assertThat(report.errorCount()).isEqualTo(15);
        assertThat(report.errors())
                .filteredOn(e -> e.line() != 6)
                .containsExactly(
                        new LoadError(2, "embedding must have 3 dimensions, got 2"),
                        new LoadError(3, "embedding[1] must be a finite number, got NaN"),
                        new LoadError(4, "missing id"),
                        new LoadError(5, "unknown space 's9'; known: s1, s2"),
                        new LoadError(7, "duplicate id 'm1' (first on line 1)"),
                        new LoadError(8, "confidence must be in [0, 1], got 1.5"),
                        new LoadError(9, "bad edges[0]: edge weight must be in [0, 1], got 2.0"),
                        new LoadError(10, "edges[0] has no \"to\""),
                        new LoadError(11, "bad id: memory id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got 'bad id'"),
                        new LoadError(12, "embedding[0] must be a finite number, got 1e300"),
                        new LoadError(13, "missing embedding"),
                        new LoadError(14, "line must be a JSON object"),
                        new LoadError(15, "unexpected content after the JSON object"),
                        new LoadError(16, "field 'n' must be a string"));
        assertThat(report.errors())
                .filteredOn(e -> e.line() == 6)
                .singleElement()
                .satisfies(e -> assertThat(e.reason()).startsWith("malformed JSON: Unexpected end-of-input"));
    }

    @Test
    void callerCanFailOnAnyError() throws IOException {
        LoadReport report = new JsonLinesLoader(3, KNOWN, s -> true)
                .load(
                        new StringReader("{\"id\":\"a\",\"space\":\"s1\",\"embedding\":[1,2,3]}\n{\"id\":\"b\"}\n"),
                        "inline",
                        MemoryStore.builder(3));

        assertThatThrownBy(report::requireNoErrors)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("1 bad line in inline: line 2: missing space");
    }

    @Test
    void rejectsAnIdAlreadyInTheBuilder() throws IOException {
        MemoryStore.Builder builder = MemoryStore.builder(3);
        JsonLinesLoader loader = new JsonLinesLoader(3, KNOWN, s -> true);
        String line = "{\"id\":\"a\",\"space\":\"s1\",\"embedding\":[1,2,3]}\n";
        loader.load(new StringReader(line), "first", builder);

        LoadReport second = loader.load(new StringReader(line), "second", builder);

        assertThat(second.errors()).containsExactly(new LoadError(1, "duplicate id 'a' (already loaded)"));
    }

    @Test
    void rejectsABuilderOfOtherDimensions() {
        assertThatThrownBy(() -> new JsonLinesLoader(3, KNOWN, s -> true)
                        .load(new StringReader(""), "empty", MemoryStore.builder(4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("builder must have 3 dimensions, got 4");
    }
}
