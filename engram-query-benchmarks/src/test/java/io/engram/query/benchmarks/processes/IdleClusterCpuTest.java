package io.engram.query.benchmarks.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the idle-CPU measurement once with two real node processes (and the lone one) and the shortest settings, so
 * that it can not rot; it says nothing about speed. Needs the node jar, which {@code mvn verify} packages first.
 */
class IdleClusterCpuTest {
    private static final Path NODE_JAR = Path.of("../engram-query-transport-http/target/engram-query.jar");

    @Test
    void measuresEveryNodeOfAnIdleClusterAndTheLoneNodeAndWritesTheFigures(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("idle-cluster.json");

        IdleClusterCpu.run(new String[] {
            "--jar",
            NODE_JAR.toString(),
            "--nodes",
            "2",
            "--spaces",
            "2",
            "--memories",
            "10",
            "--settle-s",
            "1",
            "--measure-s",
            "2",
            "--sample-s",
            "1",
            "--json",
            json.toString()
        });

        JsonNode written = new ObjectMapper().readTree(json.toFile());
        assertThat(written.path("cpu_percent_by_node").size()).isEqualTo(3);
        assertThat(written.path("cpu_percent_by_node").has("single-n1")).isTrue();
        assertThat(written.path("cpu_percent_by_node_and_sample").path("n1").size())
                .isEqualTo(2);
        assertThat(written.path("cluster_node_cpu_percent_mean").asDouble()).isNotNegative();
        assertThat(written.path("measured_s").asDouble()).isGreaterThanOrEqualTo(2.0);
    }

    @Test
    void rejectsAnUnknownOptionAndSpacesThatDoNotDivideAmongTheNodes() {
        assertThatThrownBy(() -> IdleClusterCpu.run(new String[] {"--clients", "3"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("usage: IdleClusterCpu [--jar FILE] [--nodes N] [--spaces N] [--memories N]"
                        + " [--dimensions N] [--transport tcp|http] [--settle-s N] [--measure-s N] [--sample-s N]"
                        + " [--json FILE], got '--clients'");
        assertThatThrownBy(() -> IdleClusterCpu.run(
                        new String[] {"--jar", NODE_JAR.toString(), "--spaces", "9", "--nodes", "2"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--spaces must be a multiple of --nodes, and --nodes at least 2, got 9 spaces on 2 nodes");
    }
}
