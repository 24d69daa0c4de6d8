package io.engram.query.benchmarks.scatter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the comparison once with the tiny data set and the shortest settings; it says nothing about speed. */
class InterleavedComparisonTest {
    @Test
    void comparesEveryQueryLocallyAndOverEachTransportAndWritesTheFigures(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("interleaved.json");

        Map<String, Object> report = InterleavedComparison.run(new String[] {
            "--datasets", "tiny", "--warmup-s", "1", "--measure-s", "1", "--block-ms", "100", "--json", json.toString()
        });

        JsonNode written = new ObjectMapper().readTree(json.toFile());
        assertThat(written.path("block_ms").asDouble()).isEqualTo(100.0);
        List<String> queries = new ArrayList<>();
        for (JsonNode c : written.path("comparisons")) {
            queries.add(c.path("query").asText() + "/" + c.path("transport").asText());
            assertThat(c.path("dataset").asText()).isEqualTo("tiny");
            assertThat(c.path("local").path("queries").asInt()).isPositive();
            assertThat(c.path("distributed").path("queries").asInt()).isPositive();
            assertThat(c.path("block_pairs").asInt()).isPositive();
            double ratio = c.path("ratio").asDouble();
            assertThat(ratio)
                    .isCloseTo(
                            c.path("distributed").path("mean_ms").asDouble()
                                    / c.path("local").path("mean_ms").asDouble(),
                            org.assertj.core.data.Offset.offset(1e-9));
            assertThat(c.path("block_ratio_min").asDouble())
                    .isLessThanOrEqualTo(c.path("block_ratio_median").asDouble());
            assertThat(c.path("block_ratio_median").asDouble())
                    .isLessThanOrEqualTo(c.path("block_ratio_max").asDouble());
        }
        assertThat(queries)
                .containsExactly(
                        "recall/tcp", "recall/http", "spread/tcp", "spread/http", "spreadWide/tcp", "spreadWide/http");
        assertThat(report).containsKey("comparisons");
    }

    @Test
    void rejectsAnUnknownOptionAndABadNumber() {
        assertThatThrownBy(() -> InterleavedComparison.run(new String[] {"--blocks", "3"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "usage: InterleavedComparison [--datasets light,heavy] [--transports tcp,http] [--warmup-s N]"
                                + " [--measure-s N] [--block-ms N] [--json FILE], got '--blocks'");
        assertThatThrownBy(() -> InterleavedComparison.run(new String[] {"--transports", "tcp,udp"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--transports must name some of [tcp, http], got 'udp'");
        assertThatThrownBy(() -> InterleavedComparison.run(new String[] {"--measure-s", "0"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--measure-s must be a positive integer, got '0'");
    }
}
