package io.engram.query.benchmarks.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.query.executor.engine.SyntheticSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the comparison once with real node processes and the shortest settings, so that it can not rot; it says
 * nothing about speed. Needs the node jar, which {@code mvn verify} packages before this module's tests.
 */
class RealProcessComparisonTest {
    private static final Path NODE_JAR = Path.of("../engram-query-transport-http/target/engram-query.jar");

    @Test
    void comparesBothQueriesOnOneNodeAndAClusterPerTransportWithRealProcessesAndWritesTheFigures(@TempDir Path dir)
            throws Exception {
        assertThat(NODE_JAR)
                .as("the node jar; package engram-query-transport-http first")
                .isRegularFile();
        Path json = dir.resolve("real-processes.json");

        RealProcessComparison.run(new String[] {
            "--jar",
            NODE_JAR.toString(),
            "--warmup-s",
            "1",
            "--measure-s",
            "1",
            "--slice-ms",
            "300",
            "--concurrency",
            "2",
            "--memories",
            "200",
            "--json",
            json.toString()
        });

        JsonNode written = new ObjectMapper().readTree(json.toFile());
        assertThat(written.path("failures").asInt()).isZero();
        assertThat(written.path("flagged").asBoolean()).isFalse();
        assertThat(written.path("same_answers").path("all_same").asBoolean()).isTrue();
        List<String> rows = new ArrayList<>();
        for (JsonNode c : written.path("comparisons")) {
            rows.add(c.path("query").asText() + "/" + c.path("clients").asInt() + "/"
                    + c.path("transport").asText());
            for (String side : List.of("local", "cluster")) {
                assertThat(c.path(side).path("queries").asInt()).isPositive();
                assertThat(c.path(side).path("p50_ms").asDouble()).isPositive();
                assertThat(c.path(side).path("cpu_ms_per_query").asDouble()).isNotNegative();
                assertThat(c.path(side).path("slice_cpu_ms_per_query").size())
                        .isEqualTo(c.path(side).path("slices").asInt())
                        .isPositive();
            }
            assertThat(c.path("cluster").path("cpu_ms_per_query_by_node").size())
                    .isEqualTo(3);
        }
        assertThat(rows).containsExactly("recall/2/tcp", "recall/2/http", "spread/2/tcp", "spread/2/http");
        assertThat(written.path("same_answers").path("tcp").path("all_same").asBoolean())
                .isTrue();
        assertThat(written.path("same_answers").path("http").path("all_same").asBoolean())
                .isTrue();
    }

    @Test
    void assignsTwoConsecutiveSpacesToEachOfThreeNodesAndAllToOne() {
        SyntheticSpec data = new SyntheticSpec(6, 10, 4, 2, 1, 0.1, 7);

        assertThat(RealProcessComparison.assignment(data, 3))
                .isEqualTo(Map.of("n1", List.of("s1", "s2"), "n2", List.of("s3", "s4"), "n3", List.of("s5", "s6")));
        assertThat(RealProcessComparison.assignment(data, 1))
                .isEqualTo(Map.of("n1", List.of("s1", "s2", "s3", "s4", "s5", "s6")));
    }

    @Test
    void assignsSixConsecutiveSpacesToEachOfEightNodes() {
        SyntheticSpec data = new SyntheticSpec(48, 10, 4, 2, 1, 0.1, 7);

        Map<String, List<String>> byNode = RealProcessComparison.assignment(data, 8);

        assertThat(byNode)
                .hasSize(8)
                .allSatisfy((node, spaces) -> assertThat(spaces).hasSize(6));
        assertThat(byNode.get("n8")).containsExactly("s43", "s44", "s45", "s46", "s47", "s48");
    }

    @Test
    void rejectsAnUnknownOptionABadNumberAndAMissingJar() {
        assertThatThrownBy(() -> RealProcessComparison.run(new String[] {"--clients", "3"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("usage: RealProcessComparison [--jar FILE] [--transports tcp,http] [--warmup-s N]"
                        + " [--measure-s N] [--slice-ms N]"
                        + " [--concurrency N,N] [--memories N] [--spaces N] [--nodes N] [--dimensions N] [--json FILE],"
                        + " got '--clients'");
        assertThatThrownBy(() -> RealProcessComparison.run(
                        new String[] {"--jar", NODE_JAR.toString(), "--spaces", "48", "--nodes", "7"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--spaces must be a multiple of --nodes, and --nodes at least 2, got 48 spaces on 7 nodes");
        assertThatThrownBy(() ->
                        RealProcessComparison.run(new String[] {"--jar", NODE_JAR.toString(), "--concurrency", "4,0"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--concurrency must be a positive integer, got '0'");
        assertThatThrownBy(() ->
                        RealProcessComparison.run(new String[] {"--jar", NODE_JAR.toString(), "--transports", "udp"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--transports must name some of [tcp, http], got 'udp'");
        assertThatThrownBy(() -> RealProcessComparison.run(new String[] {"--jar", "nowhere.jar"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the node jar ")
                .hasMessageEndingWith("nowhere.jar is missing; build it with mvn -B -q -DskipTests package -pl"
                        + " engram-query-transport-http -am");
    }
}
