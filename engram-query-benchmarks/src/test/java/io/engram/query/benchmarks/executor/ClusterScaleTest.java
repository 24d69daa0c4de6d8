package io.engram.query.benchmarks.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the cluster-scale program once with tiny sizes, so that it can not rot; it says nothing about speed. */
class ClusterScaleTest {
    @Test
    void measuresEverySizeWithOneRequestPerNodeAndWritesTheFigures(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("cluster-scale.json");

        ClusterScale.run(new String[] {
            "--nodes",
            "3",
            "--spaces-per-node",
            "1,4",
            "--warmup-s",
            "1",
            "--measure-s",
            "1",
            "--held-queries",
            "2",
            "--json",
            json.toString()
        });

        JsonNode written = new ObjectMapper().readTree(json.toFile());
        assertThat(written.path("sizes")).hasSize(2);
        for (JsonNode size : written.path("sizes")) {
            int spaces = size.path("spaces").asInt();
            assertThat(size.path("nodes").asInt()).isEqualTo(3);
            assertThat(spaces).isEqualTo(3 * size.path("spaces_per_node").asInt());
            assertThat(size.path("queries").asInt()).isGreaterThanOrEqualTo(5);
            assertThat(size.path("node_requests_per_query").asDouble()).isEqualTo(3.0);
            assertThat(size.path("partition_requests_per_query").asDouble()).isEqualTo(spaces);
            assertThat(size.path("coordinator_cpu_us_per_query").asDouble()).isPositive();
            assertThat(size.path("coordinator_alloc_kb_per_query").asDouble()).isPositive();
            assertThat(size.path("plan_us").asDouble()).isPositive();
            assertThat(size.path("memory_in_flight_kb_per_query").asDouble()).isNotNegative();
            assertThat(size.path("p50_ms").asDouble()).isGreaterThanOrEqualTo(0.8);
            assertThat(size.path("peer_health").has("messages_per_second_per_node"))
                    .isTrue();
        }
    }

    @Test
    void rejectsAnUnknownOptionAndASizeBelowOne() {
        assertThatThrownBy(() -> ClusterScale.run(new String[] {"--clients", "3"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("usage: ClusterScale [--nodes N,N] [--spaces-per-node N,N] [--warmup-s N] [--measure-s N]"
                        + " [--held-queries N] [--json FILE], got '--clients'");
        assertThatThrownBy(() -> ClusterScale.run(new String[] {"--nodes", "10,0"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--nodes must be a positive integer, got '0'");
    }
}
