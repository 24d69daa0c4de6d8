package io.engram.query.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkReportTest {
    private static final String REAL_PROCESSES = """
            {
              "started": "2026-12-03T08:10:00.5Z", "ended": "2026-12-03T08:12:40Z",
              "load_average_start": "1.10 0.90 0.80", "load_average_end": "2.00 1.20 0.90",
              "cores": 2, "clock_ticks_per_second": 100,
              "data": {"spaces": 6, "memories_per_space": 2000, "dimensions": 128, "clusters": 50,
                       "edges_per_memory": 4, "cross_space_edge_fraction": 0.1, "seed": 7},
              "setups": {"local": {"nodes": 1, "spaces_per_node": 6},
                         "cluster": {"nodes": 3, "spaces_per_node": 2, "replication_factor": 1}},
              "node_jvm_options": "-Xmx512m", "max_concurrent_queries": 256, "max_queued_partitions": 1024,
              "warmup_s": 30.0, "measure_s": 10.0, "slice_ms": 2500.0, "slices_per_side": 4,
              "recall_limit": 10, "spread_limit": 100, "spread_max_hops": 3,
              "same_answers": {"recall": {"compared": 64, "same": 64}, "spread": {"compared": 64, "same": 64},
                               "all_same": true},
              "comparisons": [
                {"query": "spread", "clients": 4,
                 "local": {"queries": 8000, "failures": 0, "throughput_qps": 2000.4, "p50_ms": 1.5, "p99_ms": 8.25,
                           "cpu_ms_per_query": 0.7, "cpu_ms_per_query_by_node": {"n1": 0.7},
                           "load_generator_cpu_ms_per_query": 0.2},
                 "cluster": {"queries": 1000, "failures": 0, "throughput_qps": 250.0, "p50_ms": 15.0,
                             "p99_ms": 38.0, "cpu_ms_per_query": 7.0,
                             "cpu_ms_per_query_by_node": {"n1": 3.5, "n2": 2.0, "n3": 1.5},
                             "load_generator_cpu_ms_per_query": 0.4},
                 "cpu_ratio": 10.0, "p50_ratio": 10.0}
              ],
              "failures": 0, "flagged": false
            }
            """;

    @Test
    void realProcessesSectionHasARowPerQueryAndConcurrencyWithTheRatios(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(BenchmarkReport.REAL_PROCESSES_JSON), REAL_PROCESSES);
        BenchmarkReport report = new BenchmarkReport();
        report.read(dir);

        StringBuilder md = new StringBuilder();
        report.realProcesses(md);

        assertThat(md.toString())
                .startsWith("## Real processes: one node vs three (`RealProcessComparison`)\n\n")
                .contains("`local` is one node holding all 6 spaces, `cluster` is 3 nodes holding 2 spaces each "
                        + "(replication factor 1)")
                .contains("64 of 64 recalls and 64 of 64 spreads gave the same matches with the same confidence")
                .contains("slices of 2.5 s (which goes first alternating): 10 s per side and row, after 30 s of "
                        + "warm-up per side")
                .contains("Measured 2026-12-03 08:10 UTC to 2026-12-03 08:12 UTC, load average 1.10 0.90 0.80 at the"
                        + " start and 2.00 1.20 0.90 at the end.")
                .contains("| spread | 4 | http | 1.50 | 8.25 | 15.00 | 38.00 | 2000 | 250 | 0.700 | 7.000 | 10.00x | "
                        + "10.00x |\n")
                .contains("Every answer was a 200 with full coverage. Of the cluster's CPU, the coordinating node "
                        + "spent 50% to 50% (it also holds 2 spaces). The load generator spent at most 0.400 ms of "
                        + "CPU per query, on the same cores.")
                .doesNotContain("Flagged")
                .doesNotContain("Against the targets");
    }

    @Test
    void realProcessesWithTcpAreSetAgainstTheTargets(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve(BenchmarkReport.REAL_PROCESSES_JSON),
                REAL_PROCESSES
                        .replace(
                                "{\"query\": \"spread\", \"clients\": 4,",
                                "{\"query\": \"spread\", \"clients\": 4, \"transport\": \"tcp\",")
                        .replace("\"same_answers\": {\"recall\"", "\"same_answers\": {\"tcp\": {\"recall\"")
                        .replace("\"all_same\": true}", "\"all_same\": true}, \"all_same\": true}"));
        BenchmarkReport report = new BenchmarkReport();
        report.read(dir);

        StringBuilder md = new StringBuilder();
        report.realProcesses(md);

        assertThat(md.toString())
                .contains("| spread | 4 | tcp | 1.50 |")
                .contains("64 of 64 recalls and 64 of 64 spreads gave the same matches with the same confidence on "
                        + "both sides (tcp)")
                .contains("each rotates over 64 cues or seeds")
                .contains("| CPU per query, spread | 4 | 10.00x | ≤ 2.5x | missed by 300% |\n")
                .contains("| client p50, spread | 4 | 10.00x | ≤ 2.0x | missed by 400% |\n");
    }

    private static final String INTERLEAVED = """
            {"warmup_s": 30.0, "measure_s": 30.0, "block_ms": 250.0, "transports": ["tcp", "http"],
             "comparisons": [
               {"transport": "tcp", "dataset": "light", "query": "recall",
                "local": {"queries": 10, "mean_ms": 4.0, "p50_ms": 4.0, "p99_ms": 8.0},
                "distributed": {"queries": 10, "mean_ms": 5.0, "p50_ms": 5.0, "p99_ms": 9.0},
                "ratio": 1.25, "block_pairs": 3, "block_ratio_median": 1.2, "block_ratio_min": 1.1,
                "block_ratio_max": 1.4},
               {"transport": "http", "dataset": "light", "query": "recall",
                "local": {"queries": 10, "mean_ms": 4.0, "p50_ms": 4.0, "p99_ms": 8.0},
                "distributed": {"queries": 10, "mean_ms": 6.0, "p50_ms": 6.0, "p99_ms": 9.0},
                "ratio": 1.5, "block_pairs": 3, "block_ratio_median": 1.5, "block_ratio_min": 1.4,
                "block_ratio_max": 1.6},
               {"transport": "tcp", "dataset": "light", "query": "spread",
                "local": {"queries": 10, "mean_ms": 0.3, "p50_ms": 0.3, "p99_ms": 0.5},
                "distributed": {"queries": 10, "mean_ms": 0.75, "p50_ms": 0.7, "p99_ms": 1.5},
                "ratio": 2.5, "block_pairs": 3, "block_ratio_median": 2.5, "block_ratio_min": 2.4,
                "block_ratio_max": 2.6}
             ]}
            """;

    @Test
    void interleavedSectionShowsTheTransportsSideBySideAgainstTheTargets(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(BenchmarkReport.INTERLEAVED_JSON), INTERLEAVED);
        BenchmarkReport report = new BenchmarkReport();
        report.read(dir);

        String page = report.render(Map.of("cores", "2"));

        assertThat(page)
                .contains(
                        "| recall light | tcp | 4.00 | 8.00 | 5.00 | 9.00 | 1.25x | 1.20x (1.10x to 1.40x, 3 pairs) |")
                .contains("| scenario | tcp | http | target | tcp |\n")
                .contains("| recall light | 1.25x | 1.50x | ≤ 1.3x | met |\n")
                .contains("| spread 3 hops, 1 seed per space, light | 2.50x | – | ≤ 2.0x | missed by 25% |\n");
    }

    @Test
    void handWrittenSectionsSurviveRegeneration(@TempDir Path dir) throws Exception {
        Path sections = Files.createDirectories(dir.resolve("sections"));
        Files.writeString(sections.resolve("transports.md"), "**By hand.** Kept.\n");
        Files.writeString(dir.resolve("other.json"), "[]");
        BenchmarkReport report = new BenchmarkReport();
        report.read(dir);

        String page = report.render(Map.of("cores", "2", "sections", sections.toString()));

        assertThat(page).contains("in the results).\n\n**By hand.** Kept.\n\n");
    }

    @Test
    void aRunWithFailuresIsFlagged(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve(BenchmarkReport.REAL_PROCESSES_JSON),
                REAL_PROCESSES.replace("\"failures\": 0, \"flagged\": false", "\"failures\": 12, \"flagged\": true"));
        BenchmarkReport report = new BenchmarkReport();
        report.read(dir);

        StringBuilder md = new StringBuilder();
        report.realProcesses(md);

        assertThat(md.toString())
                .contains("> **Flagged: 12 queries failed (not a 200 with full coverage); the figures above count "
                        + "them.**")
                .doesNotContain("Every answer was a 200");
    }

    @Test
    void olderResultsWithoutTheFileRenderThePageWithTheSectionMarkedNotRun(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("other.json"), "[]");
        BenchmarkReport report = new BenchmarkReport();
        report.read(dir);

        String page = report.render(Map.of("cores", "2"));

        assertThat(page)
                .contains("## Real processes: one node vs three (`RealProcessComparison`)\n\n"
                        + "Not run (no `real-processes.json` in the results).\n\n");
    }

    private static final String CLUSTER_SCALE = """
            {"started": "2026-12-03T13:00:00Z", "ended": "2026-12-03T13:02:00Z",
             "load_average_start": "0.50 0.40 0.30", "load_average_end": "1.50 1.00 0.60", "cores": 2,
             "max_heap_mb": 3072, "base_ms": 1.0, "jitter_ms": 0.2, "limit": 10, "dimensions": 32,
             "max_fanout": 10000, "max_result_matches": 1000000, "warmup_s": 5.0, "measure_s": 5.0,
             "held_queries": 4,
             "sizes": [
               {"nodes": 10, "spaces_per_node": 10, "spaces": 100, "node_requests_per_query": 10.0,
                "coordinator_cpu_us_per_query": 400.0, "coordinator_alloc_kb_per_query": 180.0, "p50_ms": 1.45,
                "plan_us": 9.0, "memory_in_flight_kb_per_query": 40.0,
                "peer_health": {"messages_per_second_per_node": null, "dead_node_detected_ms": null,
                                "live_node_cleared_ms": null}},
               {"nodes": 10, "spaces_per_node": 100, "spaces": 1000, "node_requests_per_query": 10.0,
                "coordinator_cpu_us_per_query": 2000.0, "coordinator_alloc_kb_per_query": 1500.0, "p50_ms": 2.8,
                "plan_us": 68.0, "memory_in_flight_kb_per_query": 370.0,
                "peer_health": {"messages_per_second_per_node": 1.5, "dead_node_detected_ms": 900,
                                "live_node_cleared_ms": null}},
               {"nodes": 100, "spaces_per_node": 10, "spaces": 1000, "node_requests_per_query": 100.0,
                "coordinator_cpu_us_per_query": 3300.0, "coordinator_alloc_kb_per_query": 1800.0, "p50_ms": 4.1,
                "plan_us": 118.0, "memory_in_flight_kb_per_query": 390.0, "peer_health": {}}
             ]}
            """;

    @Test
    void clusterScaleHasARowPerSizeWithThePeerHealthColumnsAndWritesThePlot(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(BenchmarkReport.CLUSTER_SCALE_JSON), CLUSTER_SCALE);
        BenchmarkReport report = new BenchmarkReport();
        report.read(dir);

        StringBuilder md = new StringBuilder();
        report.clusterScale(md);
        java.util.List<Path> plots = report.writePlots(dir.resolve("docs"));

        assertThat(md.toString())
                .startsWith("## Scale: a coordinator's cost against cluster size (`ClusterScale`, issue 21)\n\n")
                .contains("Measured 2026-12-03 13:00 UTC to 2026-12-03 13:02 UTC, load average 0.50 0.40 0.30 at the"
                        + " start and 1.50 1.00 0.60 at the end, 2 cores, heap 3,072 MB.")
                .contains("| peer health: messages/s per node | peer health: dead node detected after | peer health: "
                        + "live node cleared after |\n")
                .contains("| 10 | 10 | 100 | 10 | 0.400 | 40.0 | 4.00 | 0.18 | 1.45 | 0.009 | 0.04 | – | – | – |\n")
                .contains(
                        "| 10 | 100 | 1,000 | 10 | 2.000 | 200.0 | 2.00 | 1.46 | 2.80 | 0.068 | 0.36 | 1.5 | 900 ms | – |\n")
                .contains("| 100 | 10 | 1,000 | 100 | 3.300 | 33.0 | 3.30 |")
                .contains("at 10 nodes, 10 → 100 spaces per node (10x the spaces) took 5.00x the CPU.")
                .contains("](benchmarks-cluster-scale.png)");
        assertThat(plots).containsExactly(dir.resolve("docs").resolve(BenchmarkReport.CLUSTER_SCALE_PNG));
        java.awt.image.BufferedImage png =
                javax.imageio.ImageIO.read(plots.get(0).toFile());
        assertThat(png.getWidth()).isEqualTo(960);
        assertThat(png.getHeight()).isGreaterThan(600);
    }

    @Test
    void withoutScaleResultsThereIsNoPlotAndNoScaleSection(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("other.json"), "[]");
        BenchmarkReport report = new BenchmarkReport();
        report.read(dir);

        assertThat(report.writePlots(dir)).isEmpty();
        assertThat(report.render(Map.of("cores", "2")))
                .doesNotContain("## Scale")
                .doesNotContain("Idle CPU");
    }

    @Test
    void idleClusterIsSetAgainstThePeerHealthTarget(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(BenchmarkReport.IDLE_CLUSTER_JSON), """
                {"started": "2026-12-03T13:10:00Z", "ended": "2026-12-03T13:11:30Z",
                 "load_average_start": "0.20 0.30 0.40", "load_average_end": "0.50 0.40 0.40",
                 "nodes": 8, "spaces": 48, "memories_per_space": 100, "dimensions": 32, "transport": "tcp",
                 "node_jvm_options": "-Xmx512m", "settle_s": 40.0, "measure_s": 30.0, "measured_s": 30.1,
                 "cluster_node_cpu_percent_mean": 3.5, "cluster_node_cpu_percent_max": 4.25,
                 "single_node_cpu_percent": 0.5, "cluster_node_cpu_percent_above_single": 3.0}
                """);
        BenchmarkReport report = new BenchmarkReport();
        report.read(dir);

        StringBuilder md = new StringBuilder();
        report.idleCluster(md);

        assertThat(md.toString())
                .startsWith("### Idle CPU of a node in an idle cluster (`IdleClusterCpu`)\n\n")
                .contains("8 node processes holding 48 spaces between them (100 memories of 32 floats per space)")
                .contains("| a node of the idle 8-node cluster, mean | 3.50% |\n")
                .contains("| a node of the idle 8-node cluster, the busiest | 4.25% |\n")
                .contains("| one node alone (no peer) | 0.50% |\n")
                .contains("| a cluster node above the lone node | 3.00% |\n")
                .contains("at most 1% of a core per idle node; missed by 250%.");
    }

    @Test
    void realProcessesAtScaleAreSetAgainstIssue21sTargets(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve(BenchmarkReport.REAL_PROCESSES_SCALE_JSON),
                REAL_PROCESSES
                        .replace("\"nodes\": 3, \"spaces_per_node\": 2", "\"nodes\": 8, \"spaces_per_node\": 6")
                        .replace(
                                "{\"query\": \"spread\", \"clients\": 4,",
                                "{\"query\": \"recall\", \"clients\": 4, \"transport\": \"tcp\","));
        BenchmarkReport report = new BenchmarkReport();
        report.read(dir);

        StringBuilder md = new StringBuilder();
        report.realProcessesScale(md);

        assertThat(md.toString())
                .startsWith("## Real processes at scale: one node vs 8 (`RealProcessComparison`, issue 21)\n\n")
                .contains("`cluster` is 8 nodes holding 6 spaces each")
                .contains("(it also holds 6 spaces)")
                .contains("| CPU per query, recall (broadcast) | 4 | tcp | 10.00x | ≤ 4.0x | missed by 150% |\n")
                .contains("| client p50, recall (broadcast) | 4 | tcp | 10.00x | ≤ 4.0x | missed by 150% |\n");
    }
}
