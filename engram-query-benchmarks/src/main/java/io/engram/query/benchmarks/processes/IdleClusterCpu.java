package io.engram.query.benchmarks.processes;

import static io.engram.query.benchmarks.CommandLineOptions.positive;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engram.query.benchmarks.CommandLineOptions;
import io.engram.query.benchmarks.report.ResultsFile;
import io.engram.query.executor.engine.SyntheticSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The CPU an idle node spends (issue 21): {@code --nodes} node processes holding {@code --spaces} spaces between them,
 * calling each other over {@code --transport}, and beside them one node process holding every space alone (no peer:
 * the JVM's and the node's own idle cost), all started from {@code engram-query.jar} at once. Nothing queries them.
 * Once every node is healthy and calls every peer over the transport, the program waits {@code --settle-s} (start-up
 * and JIT are over), then reads every process's {@code utime + stime} ({@code /proc/<pid>/stat}) every
 * {@code --sample-s} for {@code --measure-s}, and reports each node's CPU as a percentage of one core. What an idle
 * cluster node spends above the lone node is its share of the peer-health traffic (today's prober: every node probes
 * every peer's {@code /cluster/health}).
 *
 * <p>Usage: {@code IdleClusterCpu [--jar engram-query-transport-http/target/engram-query.jar] [--nodes 8] [--spaces 48]
 * [--memories 100] [--dimensions 32] [--transport tcp] [--settle-s 40] [--measure-s 30] [--sample-s 5] [--json FILE]}.
 */
public final class IdleClusterCpu {
    private static final List<String> OPTIONS = List.of(
            "jar",
            "nodes",
            "spaces",
            "memories",
            "dimensions",
            "transport",
            "settle-s",
            "measure-s",
            "sample-s",
            "json");
    private static final String USAGE = "IdleClusterCpu [--jar FILE] [--nodes N] [--spaces N] [--memories N]"
            + " [--dimensions N] [--transport tcp|http] [--settle-s N] [--measure-s N] [--sample-s N] [--json FILE]";

    private IdleClusterCpu() {}

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0);
    }

    /** Measures and returns the figures {@code --json} writes. */
    static ObjectNode run(String[] args) throws IOException, InterruptedException {
        Map<String, String> options = CommandLineOptions.parse(args, OPTIONS, USAGE);
        Path jar = Path.of(options.getOrDefault("jar", "engram-query-transport-http/target/engram-query.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("the node jar " + jar.toAbsolutePath()
                    + " is missing; build it with mvn -B -q -DskipTests package -pl engram-query-transport-http -am");
        }
        int nodes = (int) positive(options, "nodes", 8);
        int spaces = (int) positive(options, "spaces", 48);
        int memories = (int) positive(options, "memories", 100);
        int dimensions = (int) positive(options, "dimensions", 32);
        long settleNanos = TimeUnit.SECONDS.toNanos(positive(options, "settle-s", 40));
        long measureNanos = TimeUnit.SECONDS.toNanos(positive(options, "measure-s", 30));
        long sampleNanos = Math.min(measureNanos, TimeUnit.SECONDS.toNanos(positive(options, "sample-s", 5)));
        String transport = options.getOrDefault("transport", "tcp");
        if (!RealProcessComparison.TRANSPORTS.contains(transport)) {
            throw new IllegalArgumentException(
                    "--transport must be one of " + RealProcessComparison.TRANSPORTS + ", got '" + transport + "'");
        }
        if (nodes < 2 || spaces % nodes != 0) {
            throw new IllegalArgumentException("--spaces must be a multiple of --nodes, and --nodes at least 2, got "
                    + spaces + " spaces on " + nodes + " nodes");
        }
        SyntheticSpec data = new SyntheticSpec(
                spaces,
                memories,
                dimensions,
                Math.min(RealProcessComparison.CLUSTERS, memories),
                RealProcessComparison.EDGES_PER_MEMORY,
                RealProcessComparison.CROSS_SPACE_EDGE_FRACTION,
                RealProcessComparison.SEED);
        ProcessCpu cpu = ProcessCpu.system();
        ObjectNode report = ClosedLoopLoad.JSON.createObjectNode();
        report.put("started", Instant.now().toString());
        report.put("load_average_start", RealProcessComparison.loadAverage());
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("clock_ticks_per_second", cpu.ticksPerSecond());
        report.put("nodes", nodes);
        report.put("spaces", spaces);
        report.put("memories_per_space", memories);
        report.put("dimensions", dimensions);
        report.put("transport", transport);
        report.put("node_jvm_options", String.join(" ", NodeProcesses.JVM_OPTIONS));
        report.put("settle_s", settleNanos / 1e9);
        report.put("measure_s", measureNanos / 1e9);

        Path dir = Files.createTempDirectory("engram-idle-");
        System.out.println("node configurations and logs in " + dir);
        Map<String, String> extraToml = Map.of("http", "stop_timeout_ms = 2000");
        NodeProcesses cluster = null;
        NodeProcesses single = null;
        try (ClosedLoopLoad client = new ClosedLoopLoad(1)) {
            cluster = NodeProcesses.start(
                    "idle-cluster",
                    dir.resolve("cluster"),
                    jar,
                    data,
                    RealProcessComparison.assignment(data, nodes),
                    transport,
                    extraToml,
                    client.http());
            single = NodeProcesses.start(
                    "idle-single",
                    dir.resolve("single"),
                    jar,
                    data,
                    RealProcessComparison.assignment(data, 1),
                    transport,
                    extraToml,
                    client.http());
            report.put("healthy", Instant.now().toString());
            System.out.printf(Locale.ROOT, "all nodes healthy; settling for %d s%n", settleNanos / 1_000_000_000L);
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(settleNanos)); // idle on purpose: nothing to wait on

            Map<String, Long> pids = new LinkedHashMap<>();
            cluster.pids().forEach((node, pid) -> pids.put(node, pid));
            single.pids().forEach((node, pid) -> pids.put("single-" + node, pid));
            List<Map<String, Long>> samples = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            long start = System.nanoTime();
            samples.add(ticks(cpu, pids));
            times.add(start);
            // A fixed count of samples, each taken no earlier than its due time (a sleep can end a fraction of a
            // millisecond early, which once made a loop on the elapsed time take one sample too many).
            long count = (measureNanos + sampleNanos - 1) / sampleNanos;
            for (long i = 1; i <= count; i++) {
                long due = start + Math.min(measureNanos, i * sampleNanos);
                for (long left = due - System.nanoTime(); left > 0; left = due - System.nanoTime()) {
                    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                }
                samples.add(ticks(cpu, pids));
                times.add(System.nanoTime());
            }
            double seconds = (times.get(times.size() - 1) - start) / 1e9;
            report.put("measured_s", seconds);
            ObjectNode byNode = report.putObject("cpu_percent_by_node");
            ObjectNode bySample = report.putObject("cpu_percent_by_node_and_sample");
            double sum = 0;
            double max = 0;
            for (String node : pids.keySet()) {
                double percent = percent(
                        cpu,
                        samples.get(samples.size() - 1).get(node)
                                - samples.get(0).get(node),
                        seconds);
                byNode.put(node, percent);
                ArrayNode series = bySample.putArray(node);
                for (int i = 1; i < samples.size(); i++) {
                    series.add(percent(
                            cpu,
                            samples.get(i).get(node) - samples.get(i - 1).get(node),
                            (times.get(i) - times.get(i - 1)) / 1e9));
                }
                if (!node.startsWith("single-")) {
                    sum += percent;
                    max = Math.max(max, percent);
                }
            }
            double mean = sum / nodes;
            double alone = byNode.path("single-n1").asDouble();
            report.put("cluster_node_cpu_percent_mean", mean);
            report.put("cluster_node_cpu_percent_max", max);
            report.put("single_node_cpu_percent", alone);
            report.put("cluster_node_cpu_percent_above_single", mean - alone);
            System.out.printf(
                    Locale.ROOT,
                    "idle %d-node cluster over %s: %.2f%% of a core per node (mean; max %.2f%%); one node alone"
                            + " %.2f%%; measured %.0f s, %d s after all were healthy%n",
                    nodes,
                    transport,
                    mean,
                    max,
                    alone,
                    seconds,
                    settleNanos / 1_000_000_000L);
        } finally {
            RuntimeException failure = null;
            for (NodeProcesses side : new NodeProcesses[] {cluster, single}) {
                try {
                    if (side != null) {
                        side.close();
                    }
                } catch (RuntimeException e) {
                    failure = failure == null ? e : failure;
                }
            }
            report.put("ended", Instant.now().toString());
            report.put("load_average_end", RealProcessComparison.loadAverage());
            if (failure != null) {
                throw failure;
            }
        }
        RealProcessComparison.deleteTree(dir);
        if (options.containsKey("json")) {
            ResultsFile.write(Path.of(options.get("json")), report);
        }
        return report;
    }

    private static double percent(ProcessCpu cpu, long ticks, double seconds) {
        return 100 * cpu.millis(ticks) / 1000.0 / seconds;
    }

    private static Map<String, Long> ticks(ProcessCpu cpu, Map<String, Long> pids) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        pids.forEach((node, pid) -> ticks.put(node, cpu.ticks(pid)));
        return ticks;
    }
}
