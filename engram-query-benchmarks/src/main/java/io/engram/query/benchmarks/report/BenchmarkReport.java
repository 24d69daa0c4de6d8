package io.engram.query.benchmarks.report;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Writes {@code docs/BENCHMARKS.md} from what {@code bench/run} left in its results directory: JMH JSON files
 * ({@code -rf json}), the {@code TailAtScale} JSON ({@code tail-at-scale.json}) and the
 * {@code InterleavedComparison} JSON ({@code interleaved.json}) and the {@code RealProcessComparison} JSON
 * ({@code real-processes.json}); a file that is absent (results of an older suite) leaves its section out or marks it
 * as not run. The page is generated; edit this class, not the page.
 *
 * <p>Usage: {@code BenchmarkReport <results dir> <output.md> [--cores N] [--load "1.0 0.8 0.5"] [--note TEXT] [--findings FILE]
 * [--sections DIR]}; {@code DIR/floor.md}, {@code DIR/real-processes.md} and {@code DIR/transports.md}, when
 * present, are hand-written text placed after the floor table and, in that order, after the real-process comparison;
 * {@code DIR/cluster-scale.md} after {@code ClusterScale}'s table ({@code cluster-scale.json}) and
 * {@code DIR/real-processes-scale.md} after the real-process scale test and the idle cluster
 * ({@code real-processes-scale.json}, {@code idle-cluster.json}). The plot of {@code ClusterScale} is written beside
 * the page ({@value #CLUSTER_SCALE_PNG}).
 */
public final class BenchmarkReport {
    static final String SCATTER = "io.engram.query.benchmarks.scatter.BenchmarkScatterGather.";
    static final String OVERHEAD = "io.engram.query.benchmarks.executor.BenchmarkExecutorOverhead.";
    static final String TAIL = "io.engram.query.benchmarks.executor.BenchmarkTailLatency.";
    static final String TAIL_JSON = "tail-at-scale.json";
    static final String INTERLEAVED_JSON = "interleaved.json";
    static final String REAL_PROCESSES_JSON = "real-processes.json";
    /** {@code RealProcessComparison --nodes 8 --spaces 48 ...}: issue 21's real-process scale test. */
    static final String REAL_PROCESSES_SCALE_JSON = "real-processes-scale.json";

    static final String CLUSTER_SCALE_JSON = "cluster-scale.json";
    static final String IDLE_CLUSTER_JSON = "idle-cluster.json";
    /** The plot of {@code ClusterScale}'s costs against cluster size, written beside the page. */
    static final String CLUSTER_SCALE_PNG = "benchmarks-cluster-scale.png";

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<Entry> entries = new ArrayList<>();
    private final Set<String> files = new LinkedHashSet<>();
    private Optional<JsonNode> tail = Optional.empty();
    private Optional<JsonNode> interleaved = Optional.empty();
    private Optional<JsonNode> realProcesses = Optional.empty();
    private Optional<JsonNode> realProcessesScale = Optional.empty();
    private Optional<JsonNode> clusterScale = Optional.empty();
    private Optional<JsonNode> idleCluster = Optional.empty();
    /** When the run ended: the newest result file's modification time (a page regenerated later keeps it). */
    private java.time.Instant runEnded = java.time.Instant.EPOCH;

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException(
                    "usage: BenchmarkReport <results dir> <output.md> [--cores N] [--load TEXT] [--note TEXT]"
                            + " [--findings FILE] [--sections DIR]");
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 2; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        BenchmarkReport report = new BenchmarkReport();
        report.read(Path.of(args[0]));
        Path out = Path.of(args[1]);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, report.render(options));
        System.out.println("wrote " + out);
        report.writePlots(out.toAbsolutePath().getParent()).forEach(png -> System.out.println("wrote " + png));
    }

    void read(Path dir) throws IOException {
        requireNonNull(dir, "dir is null");
        List<Path> paths;
        try (Stream<Path> listing = Files.list(dir)) {
            paths = listing.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path path : paths) {
            JsonNode root = mapper.readTree(path.toFile());
            files.add(path.getFileName().toString());
            java.time.Instant modified = Files.getLastModifiedTime(path).toInstant();
            if (modified.isAfter(runEnded)) {
                runEnded = modified;
            }
            if (path.getFileName().toString().equals(TAIL_JSON)) {
                tail = Optional.of(root);
            } else if (path.getFileName().toString().equals(INTERLEAVED_JSON)) {
                interleaved = Optional.of(root);
            } else if (path.getFileName().toString().equals(REAL_PROCESSES_JSON)) {
                realProcesses = Optional.of(root);
            } else if (path.getFileName().toString().equals(REAL_PROCESSES_SCALE_JSON)) {
                realProcessesScale = Optional.of(root);
            } else if (path.getFileName().toString().equals(CLUSTER_SCALE_JSON)) {
                clusterScale = Optional.of(root);
            } else if (path.getFileName().toString().equals(IDLE_CLUSTER_JSON)) {
                idleCluster = Optional.of(root);
            } else if (root.isArray()) {
                root.forEach(node -> entries.add(new Entry(path.getFileName().toString(), node)));
            }
        }
    }

    String render(Map<String, String> options) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append(
                "<!-- Generated by bench/run (io.engram.query.benchmarks.report.BenchmarkReport); do not edit. -->\n\n");
        md.append("All figures below come from **one run**, ended ")
                .append(runEnded.atZone(java.time.ZoneOffset.UTC)
                        .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)))
                .append(", read from `bench/results/` (")
                .append(String.join(", ", files))
                .append(").\n\n");
        if (options.containsKey("note")) {
            md.append("> **").append(options.get("note")).append("**\n\n");
        }
        md.append("Machine: ")
                .append(options.getOrDefault(
                        "cores", String.valueOf(Runtime.getRuntime().availableProcessors())))
                .append(" cores (nproc)");
        entries.stream()
                .findFirst()
                .ifPresent(e -> md.append(", ")
                        .append(e.node.path("vmName").asText())
                        .append(' ')
                        .append(e.node.path("vmVersion").asText())
                        .append(" (JDK ")
                        .append(e.node.path("jdkVersion").asText())
                        .append(')'));
        if (options.containsKey("load")) {
            md.append(", load average at the start ").append(options.get("load"));
        }
        md.append(".\n\n");
        scatterGather(md, options);
        interleaved(md);
        realProcesses(md);
        handWritten(md, options, "real-processes");
        handWritten(md, options, "transports");
        clusterScale(md);
        handWritten(md, options, "cluster-scale");
        realProcessesScale(md);
        idleCluster(md);
        handWritten(md, options, "real-processes-scale");
        if (options.containsKey("findings")) {
            // Hand-written analysis kept beside the generator (bench/FINDINGS.md), not derived from this run.
            try {
                md.append(Files.readString(Path.of(options.get("findings"))).strip())
                        .append("\n\n");
            } catch (IOException e) {
                throw new UncheckedIOException("can not read " + options.get("findings"), e);
            }
        }
        tailAtScale(md);
        overhead(md);
        others(md);
        settings(md);
        md.append("## Running\n\n");
        md.append("`bench/run` builds `engram-query-benchmarks/target/benchmarks.jar` if it is missing, runs the suite "
                + "above (about 45 minutes on 2 cores) and regenerates this page. Any single benchmark: `java -jar "
                + "engram-query-benchmarks/target/benchmarks.jar BenchmarkScatterGather -p dataset=light -f 1 -wi 3 "
                + "-w 2s -i 5 -r 2s`; the tail-latency figures: `java -cp engram-query-benchmarks/target/benchmarks.jar "
                + "io.engram.query.benchmarks.executor.TailAtScale --queries 1000`; the interleaved comparison: `java -Xmx6g -cp "
                + "engram-query-benchmarks/target/benchmarks.jar "
                + "io.engram.query.benchmarks.scatter.InterleavedComparison --datasets light --transports tcp,http`; the real-process "
                + "comparison (needs `engram-query-transport-http/target/engram-query.jar`): `java -cp "
                + "engram-query-benchmarks/target/benchmarks.jar "
                + "io.engram.query.benchmarks.processes.RealProcessComparison --transports tcp,http --concurrency 4,16`; "
                + "the cluster scale: `java -Xmx3g -cp engram-query-benchmarks/target/benchmarks.jar "
                + "io.engram.query.benchmarks.executor.ClusterScale`; the idle cluster: `java -cp "
                + "engram-query-benchmarks/target/benchmarks.jar io.engram.query.benchmarks.processes.IdleClusterCpu "
                + "--nodes 8 --spaces 48`.\n");
        return md.toString();
    }

    /**
     * The hand-written section {@code <name>.md} of {@code --sections DIR} (bench/sections), when there is one: text
     * that belongs beside a generated table but is not derived from this run's results, so that regenerating the page
     * keeps it.
     */
    static void handWritten(StringBuilder md, Map<String, String> options, String name) {
        if (!options.containsKey("sections")) {
            return;
        }
        Path section = Path.of(options.get("sections")).resolve(name + ".md");
        if (!Files.isRegularFile(section)) {
            return;
        }
        try {
            md.append(Files.readString(section).strip()).append("\n\n");
        } catch (IOException e) {
            throw new UncheckedIOException("can not read " + section, e);
        }
    }

    private void scatterGather(StringBuilder md, Map<String, String> options) {
        List<Entry> scatter =
                entries.stream().filter(e -> e.benchmark().startsWith(SCATTER)).toList();
        md.append("## Local vs distributed (`BenchmarkScatterGather`)\n\n");
        if (scatter.isEmpty()) {
            md.append("Not run.\n\n");
            return;
        }
        md.append(
                "The same query over the same 4 spaces (768-float embeddings): `local` is one node holding all 4 "
                        + "spaces; `distributed` is a coordinator holding none plus 4 data nodes holding one space each, on "
                        + "loopback tcp (`transport.type = \"tcp\"`, the default) or HTTP, all 5 in one JVM (so sharing the same cores). `light` = 2,000 memories per space, "
                        + "`heavy` = 25,000. Recall: top 10 for a cue taken from the data. Spread: 3 hops from one seed per "
                        + "space, top 100; wide spread: 3 hops from 50 seeds per space, top 100. One query at a time; times in ms (JMH sample mode: mean and p99 of single queries).\n\n");
        md.append("| scenario | local mean | local p99 | distributed mean | distributed p99 | distributed/local |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        for (String query : List.of("recall", "spread", "spreadWide")) {
            for (String dataset : List.of("tiny", "light", "heavy")) {
                Optional<Entry> local = find(scatter, query + "Local", dataset);
                List<Entry> distributed = scatter.stream()
                        .filter(e -> e.method().equals(query + "Distributed")
                                && e.param("dataset").equals(dataset))
                        .toList();
                if (local.isEmpty() && distributed.isEmpty()) {
                    continue;
                }
                String name = scenario(query) + " " + dataset;
                if (distributed.isEmpty()) {
                    md.append(row(name, local, Optional.empty()));
                }
                for (Entry d : distributed) {
                    String transport = distributedLabel(d);
                    md.append(row(name + transport, local, Optional.of(d)));
                }
            }
        }
        md.append("\nThe ratio is of the means. DESIGN.md's naive build measured 2.0× (light) and 1.15× (heavy) for "
                + "recall, with a composed floor of ≈ 1.23× and ≈ 1.02×.\n\n");
        spreadFloor(md, scatter);
        handWritten(md, options, "floor");
    }

    /**
     * The loopback floors under the one-seed spread (Jetty HTTP/1.1 and plain sockets), beside that spread's local
     * and distributed means, and the least distributed/local ratio each floor allows.
     */
    private static void spreadFloor(StringBuilder md, List<Entry> scatter) {
        List<Entry> floors =
                scatter.stream().filter(e -> e.method().equals("spreadFloor")).toList();
        if (floors.isEmpty()) {
            return;
        }
        md.append("### The floor under the distributed spread (`spreadFloor`, `spreadFloorSockets`)\n\n"
                + "Bare HTTP/1.1 exchanges on loopback between Jetty servers and a Jetty client in one JVM, as many per "
                + "round as the distributed one-seed spread makes (light: 4, 3 and 2 in three rounds; heavy: 4 and 4), "
                + "200 bytes out and 64 back, with no codec, engine or executor. Whatever the distributed spread costs "
                + "above this is ours; this much is the machine's and Jetty's. The socket floor is the same exchanges as "
                + "length-prefixed frames over plain TCP sockets, a blocking thread per connection: the least a binary "
                + "node-to-node protocol could cost (the tcp transport is one, on Netty). A distributed spread does the local "
                + "spread's work and its exchanges, round after round, so to a first approximation it can not measure "
                + "below (floor + local) / local; times in ms."
                + "\n\n");
        md.append("| data set | floor | socket floor | local spread | distributed spread | distributed/local | "
                + "least over HTTP: (floor + local)/local | least over sockets |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Entry floor : floors) {
            String dataset = floor.param("dataset");
            double local =
                    find(scatter, "spreadLocal", dataset).map(Entry::score).orElse(Double.NaN);
            List<Entry> distributed = scatter.stream()
                    .filter(e -> e.method().equals("spreadDistributed")
                            && e.param("dataset").equals(dataset))
                    .toList();
            StringBuilder means = new StringBuilder();
            StringBuilder ratios = new StringBuilder();
            for (Entry d : distributed) {
                String sep = means.isEmpty() ? "" : ", ";
                means.append(sep).append(ms(d.score())).append(distributedLabel(d));
                ratios.append(sep).append(ratio(d.score(), local)).append(distributedLabel(d));
            }
            double sockets = find(scatter, "spreadFloorSockets", dataset)
                    .map(Entry::score)
                    .orElse(Double.NaN);
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    dataset,
                    ms(floor.score()),
                    ms(sockets),
                    ms(local),
                    means.isEmpty() ? "–" : means,
                    ratios.isEmpty() ? "–" : ratios,
                    ratio(floor.score() + local, local),
                    ratio(sockets + local, local)));
        }
        md.append('\n');
    }

    /**
     * How a distributed entry's nodes talked: {@code (tcp)}, or {@code (http, smile)} and the like; entries of runs
     * before the transport parameter were HTTP.
     */
    private static String distributedLabel(Entry d) {
        String transport = d.param("transport").isEmpty() ? "http" : d.param("transport");
        if (transport.equals("tcp")) {
            return " (tcp)";
        }
        return " (http, " + d.param("format") + (d.param("h2c").equals("true") ? ", h2c" : "") + ")";
    }

    /** The entry of {@code method} for {@code dataset}, the first when there are several. */
    private static Optional<Entry> find(List<Entry> entries, String method, String dataset) {
        return entries.stream()
                .filter(e -> e.method().equals(method) && e.param("dataset").equals(dataset))
                .findFirst();
    }

    private static String ratio(double value, double baseline) {
        return Double.isNaN(value) || Double.isNaN(baseline)
                ? "–"
                : String.format(Locale.ROOT, "%.2fx", value / baseline);
    }

    /** The table label of a query of {@code BenchmarkScatterGather} ({@code recall}, {@code spread}, ...). */
    private static String scenario(String query) {
        return switch (query) {
            case "spread" -> "spread 3 hops, 1 seed per space,";
            case "spreadWide" -> "spread 3 hops, 50 seeds per space,";
            default -> query;
        };
    }

    private void interleaved(StringBuilder md) {
        if (interleaved.isEmpty()) {
            return;
        }
        JsonNode root = interleaved.get();
        md.append("### The same comparison, both sides taking turns in one process (`InterleavedComparison`)\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Both deployments run in one JVM and alternate in blocks of %.0f ms (which side goes first alternates "
                        + "too), %.0f s per row after %.0f s of warm-up, so drift of a shared machine moves both sides "
                        + "alike; JMH above measures each side in its own fork, minutes apart. Times in ms.%n%n",
                root.path("block_ms").asDouble(),
                root.path("measure_s").asDouble(),
                root.path("warmup_s").asDouble()));
        md.append("| scenario | transport | local mean | local p99 | distributed mean | distributed p99 "
                + "| distributed/local | block pairs: median (range) |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---|\n");
        for (JsonNode c : root.path("comparisons")) {
            String name = scenario(c.path("query").asText());
            JsonNode local = c.path("local");
            JsonNode distributed = c.path("distributed");
            md.append(String.format(
                    Locale.ROOT,
                    "| %s %s | %s | %s | %s | %s | %s | %.2fx | %.2fx (%.2fx to %.2fx, %d pairs) |%n",
                    name,
                    c.path("dataset").asText(),
                    transportOf(c),
                    ms(local.path("mean_ms").asDouble()),
                    ms(local.path("p99_ms").asDouble()),
                    ms(distributed.path("mean_ms").asDouble()),
                    ms(distributed.path("p99_ms").asDouble()),
                    c.path("ratio").asDouble(),
                    c.path("block_ratio_median").asDouble(),
                    c.path("block_ratio_min").asDouble(),
                    c.path("block_ratio_max").asDouble(),
                    c.path("block_pairs").asInt()));
        }
        md.append('\n');
        interleavedTargets(md, root);
    }

    /** Issue 20's targets for the interleaved distributed/local ratios with tcp, by dataset and query. */
    static final Map<String, Double> INTERLEAVED_TARGETS = Map.of(
            "light/recall", 1.3,
            "heavy/recall", 1.1,
            "light/spread", 2.0,
            "heavy/spread", 2.0,
            "light/spreadWide", 2.0,
            "heavy/spreadWide", 2.0);

    /** The ratios of every transport side by side against issue 20's targets (met or missed with tcp). */
    private static void interleavedTargets(StringBuilder md, JsonNode root) {
        Map<String, Map<String, Double>> ratios = new LinkedHashMap<>();
        Set<String> transports = new LinkedHashSet<>();
        for (JsonNode c : root.path("comparisons")) {
            String key = c.path("dataset").asText() + "/" + c.path("query").asText();
            ratios.computeIfAbsent(key, k -> new LinkedHashMap<>())
                    .put(transportOf(c), c.path("ratio").asDouble());
            transports.add(transportOf(c));
        }
        if (!transports.contains("tcp")) {
            return;
        }
        md.append("Against the targets of the binary transport (issue 20: with tcp, distributed/local recall ≤ 1.3x "
                + "light and ≤ 1.1x heavy, spread and wide spread ≤ 2.0x):\n\n");
        md.append("| scenario |");
        transports.forEach(t -> md.append(' ').append(t).append(" |"));
        md.append(" target | tcp |\n|---|");
        transports.forEach(t -> md.append("---:|"));
        md.append("---:|---|\n");
        ratios.forEach((key, byTransport) -> {
            String[] parts = key.split("/");
            md.append("| ")
                    .append(scenario(parts[1]))
                    .append(' ')
                    .append(parts[0])
                    .append(" |");
            transports.forEach(t -> md.append(' ')
                    .append(byTransport.containsKey(t) ? String.format(Locale.ROOT, "%.2fx", byTransport.get(t)) : "–")
                    .append(" |"));
            Double target = INTERLEAVED_TARGETS.get(key);
            Double tcp = byTransport.get("tcp");
            if (target == null) {
                md.append(" – | – |\n");
            } else {
                md.append(String.format(Locale.ROOT, " ≤ %.1fx | %s |%n", target, verdict(tcp, target)));
            }
        });
        md.append('\n');
    }

    /** {@code met} or {@code missed by N%} for a ratio against its target. */
    static String verdict(double ratio, double target) {
        return ratio <= target ? "met" : String.format(Locale.ROOT, "missed by %.0f%%", 100 * (ratio / target - 1));
    }

    /** The transport of a comparison row; rows of runs before the tcp transport were HTTP. */
    private static String transportOf(JsonNode comparison) {
        return comparison.path("transport").asText("http");
    }

    /**
     * {@code RealProcessComparison}: one node process holding every space against three holding two each, client
     * latency and the CPU of every node process per query; when its file is absent, says so.
     */
    void realProcesses(StringBuilder md) {
        md.append("## Real processes: one node vs three (`RealProcessComparison`)\n\n");
        if (realProcesses.isEmpty()) {
            md.append("Not run (no `" + REAL_PROCESSES_JSON + "` in the results).\n\n");
            return;
        }
        realProcessesBody(md, realProcesses.get());
        realProcessTargets(md, realProcesses.get());
    }

    /**
     * Issue 21's real-process scale test ({@code RealProcessComparison --nodes 8 --spaces 48}), with its targets: a
     * broadcast recall's CPU per query and client p50 at most 4x the one node's; left out when it was not run.
     */
    void realProcessesScale(StringBuilder md) {
        if (realProcessesScale.isEmpty()) {
            return;
        }
        JsonNode r = realProcessesScale.get();
        md.append("## Real processes at scale: one node vs ")
                .append(r.path("setups").path("cluster").path("nodes").asInt())
                .append(" (`RealProcessComparison`, issue 21)\n\n");
        realProcessesBody(md, r);
        List<String> rows = new ArrayList<>();
        for (JsonNode c : r.path("comparisons")) {
            if (!c.path("query").asText().equals("recall")) {
                continue;
            }
            for (String[] figure : List.of(
                    new String[] {"CPU per query, recall (broadcast)", "cpu_ratio"},
                    new String[] {"client p50, recall (broadcast)", "p50_ratio"})) {
                double value = c.path(figure[1]).asDouble();
                rows.add(String.format(
                        Locale.ROOT,
                        "| %s | %d | %s | %.2fx | ≤ 4.0x | %s |%n",
                        figure[0],
                        c.path("clients").asInt(),
                        transportOf(c),
                        value,
                        verdict(value, 4.0)));
            }
        }
        if (!rows.isEmpty()) {
            md.append("Against issue 21's targets:\n\n");
            md.append("| cluster/local | clients | transport | measured | target | |\n|---|---:|---|---:|---:|---|\n");
            rows.forEach(md::append);
            md.append('\n');
        }
    }

    /** The description, table and notes of one {@code RealProcessComparison} result. */
    private static void realProcessesBody(StringBuilder md, JsonNode r) {
        JsonNode data = r.path("data");
        JsonNode local = r.path("setups").path("local");
        JsonNode cluster = r.path("setups").path("cluster");
        md.append(String.format(
                Locale.ROOT,
                "Node processes started from `engram-query.jar` (`serve`, JVM options `%s`) on loopback: `local` is "
                        + "one node holding all %d spaces, `cluster` is %d nodes holding %d spaces each (replication "
                        + "factor %d), asked through one of them, which coordinates. Both generate the same data "
                        + "(%,d memories per space, %d-float embeddings, %d edges per memory, %.0f%% of them to "
                        + "another space); before measuring, every query was sent to both and %s. Recall: every space "
                        + "(a broadcast), top %d, cued with a stored memory's embedding; spread: %d hops from one "
                        + "seed memory, top %d; each rotates over %d cues or seeds from every space. Closed loop: "
                        + "the clients share one asynchronous Jetty client in the benchmark's own JVM, on the same "
                        + "cores, each sending its next query when its last is answered. Both sides run throughout and "
                        + "take turns in slices of %.1f s (which goes first alternating): %.0f s per side and row, "
                        + "after %.0f s of warm-up per side. CPU ms/query is the `utime + stime` of every node process "
                        + "of the side (`/proc/<pid>/stat`, %d ticks per second) over its slices, divided by the "
                        + "queries answered; it includes what else the nodes do meanwhile (JIT, GC, the cluster's "
                        + "health probes). Both sides with `query.max_queued_partitions = %d` and "
                        + "`http.max_concurrent_queries = %d`. Measured %s to %s, load average %s at the start and %s "
                        + "at the end. Times in ms.%n%n",
                r.path("node_jvm_options").asText(),
                local.path("spaces_per_node").asInt(),
                cluster.path("nodes").asInt(),
                cluster.path("spaces_per_node").asInt(),
                cluster.path("replication_factor").asInt(),
                data.path("memories_per_space").asInt(),
                data.path("dimensions").asInt(),
                data.path("edges_per_memory").asInt(),
                100 * data.path("cross_space_edge_fraction").asDouble(),
                sameAnswers(r.path("same_answers")),
                r.path("recall_limit").asInt(),
                r.path("spread_max_hops").asInt(),
                r.path("spread_limit").asInt(),
                comparedSpreads(r.path("same_answers")),
                r.path("slice_ms").asDouble() / 1000,
                r.path("measure_s").asDouble(),
                r.path("warmup_s").asDouble(),
                r.path("clock_ticks_per_second").asInt(),
                r.path("max_queued_partitions").asInt(),
                r.path("max_concurrent_queries").asInt(),
                utcMinute(r.path("started").asText()),
                utcMinute(r.path("ended").asText()),
                r.path("load_average_start").asText("unknown"),
                r.path("load_average_end").asText("unknown")));
        md.append(
                "| query | clients | transport | local p50 | local p99 | cluster p50 | cluster p99 | local q/s "
                        + "| cluster q/s | CPU ms/query local | CPU ms/query cluster | CPU cluster/local | p50 cluster/local |\n");
        md.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double coordinatorMin = Double.NaN;
        double coordinatorMax = Double.NaN;
        double generatorMax = Double.NaN;
        for (JsonNode c : r.path("comparisons")) {
            JsonNode l = c.path("local");
            JsonNode d = c.path("cluster");
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %d | %s | %s | %s | %s | %s | %.0f | %.0f | %.3f | %.3f | %.2fx | %.2fx |%n",
                    c.path("query").asText(),
                    c.path("clients").asInt(),
                    transportOf(c),
                    ms(l.path("p50_ms").asDouble(Double.NaN)),
                    ms(l.path("p99_ms").asDouble(Double.NaN)),
                    ms(d.path("p50_ms").asDouble(Double.NaN)),
                    ms(d.path("p99_ms").asDouble(Double.NaN)),
                    l.path("throughput_qps").asDouble(Double.NaN),
                    d.path("throughput_qps").asDouble(Double.NaN),
                    l.path("cpu_ms_per_query").asDouble(Double.NaN),
                    d.path("cpu_ms_per_query").asDouble(Double.NaN),
                    c.path("cpu_ratio").asDouble(Double.NaN),
                    c.path("p50_ratio").asDouble(Double.NaN)));
            Iterator<JsonNode> byNode = d.path("cpu_ms_per_query_by_node").elements();
            if (byNode.hasNext()) {
                double share =
                        byNode.next().asDouble() / d.path("cpu_ms_per_query").asDouble();
                coordinatorMin = Double.isNaN(coordinatorMin) ? share : Math.min(coordinatorMin, share);
                coordinatorMax = Double.isNaN(coordinatorMax) ? share : Math.max(coordinatorMax, share);
            }
            for (JsonNode side : List.of(l, d)) {
                double g = side.path("load_generator_cpu_ms_per_query").asDouble(Double.NaN);
                generatorMax = Double.isNaN(generatorMax) ? g : Math.max(generatorMax, g);
            }
        }
        md.append('\n');
        int failures = r.path("failures").asInt();
        if (failures > 0 || r.path("flagged").asBoolean()) {
            md.append("> **Flagged: ")
                    .append(failures)
                    .append(" queries failed (not a 200 with full coverage)")
                    .append(
                            r.path("same_answers").path("all_same").asBoolean(true)
                                    ? ""
                                    : ", and the two sides " + "did not give the same answers")
                    .append("; the figures above count them.**\n\n");
        } else {
            md.append("Every answer was a 200 with full coverage. ");
        }
        if (!Double.isNaN(coordinatorMin)) {
            md.append(String.format(
                    Locale.ROOT,
                    "Of the cluster's CPU, the coordinating node spent %.0f%% to %.0f%% (it also holds %d spaces). ",
                    100 * coordinatorMin,
                    100 * coordinatorMax,
                    cluster.path("spaces_per_node").asInt()));
        }
        if (!Double.isNaN(generatorMax)) {
            md.append(String.format(
                    Locale.ROOT,
                    "The load generator spent at most %.3f ms of CPU per query, on the same cores.",
                    generatorMax));
        }
        md.append("\n\n");
    }

    /**
     * Issue 20's targets for the real processes with tcp: CPU per query cluster/local of a spread ≤ 2.5x and of a
     * broadcast recall ≤ 1.2x, the client's p50 of the spread ≤ 2x; a row per concurrency.
     */
    private static void realProcessTargets(StringBuilder md, JsonNode r) {
        List<String> rows = new ArrayList<>();
        for (JsonNode c : r.path("comparisons")) {
            if (!transportOf(c).equals("tcp")) {
                continue;
            }
            String query = c.path("query").asText();
            int clients = c.path("clients").asInt();
            double cpuTarget = query.equals("spread") ? 2.5 : 1.2;
            rows.add(String.format(
                    Locale.ROOT,
                    "| %s | %d | %.2fx | ≤ %.1fx | %s |%n",
                    query.equals("spread") ? "CPU per query, spread" : "CPU per query, recall (broadcast)",
                    clients,
                    c.path("cpu_ratio").asDouble(),
                    cpuTarget,
                    verdict(c.path("cpu_ratio").asDouble(), cpuTarget)));
            if (query.equals("spread")) {
                rows.add(String.format(
                        Locale.ROOT,
                        "| client p50, spread | %d | %.2fx | ≤ 2.0x | %s |%n",
                        clients,
                        c.path("p50_ratio").asDouble(),
                        verdict(c.path("p50_ratio").asDouble(), 2.0)));
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        md.append("Against the targets of the binary transport (issue 20, with tcp):\n\n");
        md.append("| cluster/local | clients | tcp | target | |\n|---|---:|---:|---:|---|\n");
        rows.forEach(md::append);
        md.append('\n');
    }

    /**
     * {@code ClusterScale}: a coordinator's cost of one broadcast against the cluster's size, a row per size, the
     * peer-health columns left for that protocol's benchmark, and the plot ({@link #CLUSTER_SCALE_PNG}).
     */
    void clusterScale(StringBuilder md) {
        if (clusterScale.isEmpty()) {
            return;
        }
        JsonNode r = clusterScale.get();
        md.append("## Scale: a coordinator's cost against cluster size (`ClusterScale`, issue 21)\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Many nodes simulated in one JVM: a coordinator wired as a host wires it (`EngramQueryModule`, holding "
                        + "no space) calls simulated nodes through an in-process transport that batches (one request per "
                        + "node, as tcp and http do) and answers after %.1f ± %.1f ms on a timer. Each node holds the "
                        + "given number of spaces (replication factor 1); each space offers %d matches and each node "
                        + "reduces its answer to the best %d. The query is a broadcast recall (no space named, a "
                        + "%d-float cue, top %d), one at a time, %.0f s per size after %.0f s of warm-up. "
                        + "Coordinator settings: hedging off, `query.max_fanout = %,d` (its upper bound), "
                        + "`query.max_result_matches = %,d`, the rest defaults.%n%n"
                        + "- **coordinator CPU, allocation**: the CPU time and allocated bytes of every Java thread but "
                        + "the simulated nodes' (the caller's thread plans and dispatches; the merge runs on the "
                        + "simulated network thread, as on a transport's I/O thread), per query; garbage collection "
                        + "is not in it.%n"
                        + "- **plan**: `QueryPlanner.plan` of the broadcast by itself.%n"
                        + "- **memory in flight**: the heap the coordinator holds for one query once every node but "
                        + "one has answered (%d queries held so, heap after a full GC, less the heap once they "
                        + "finished).%n"
                        + "- **peer health** (`MembershipSimulation`: the nodes' own SWIM code, default settings, on "
                        + "a virtual clock with 0.2 ms + exp(0.3 ms) one-way latency): messages per second per node "
                        + "(probes and probe requests sent, and the acks answering them), the time until every peer "
                        + "has declared a killed node dead (median of five deaths, worst in brackets), and the time "
                        + "until no peer suspects a node paused for 40%% of the suspicion timeout.%n%n"
                        + "Measured %s to %s, load average %s at the start and %s at the end, %d cores, heap %,d MB.%n%n",
                r.path("base_ms").asDouble(),
                r.path("jitter_ms").asDouble(),
                r.path("limit").asInt(),
                r.path("limit").asInt(),
                r.path("dimensions").asInt(),
                r.path("limit").asInt(),
                r.path("measure_s").asDouble(),
                r.path("warmup_s").asDouble(),
                r.path("max_fanout").asInt(),
                r.path("max_result_matches").asInt(),
                r.path("held_queries").asInt(),
                utcMinute(r.path("started").asText()),
                utcMinute(r.path("ended").asText()),
                r.path("load_average_start").asText("unknown"),
                r.path("load_average_end").asText("unknown"),
                r.path("cores").asInt(),
                r.path("max_heap_mb").asLong()));
        md.append("| nodes | spaces per node | spaces | node requests / query | coordinator CPU ms / query "
                + "| CPU µs per node | CPU µs per space | allocation MB / query | p50 ms | plan ms "
                + "| memory in flight MB / query | peer health: messages/s per node | peer health: dead node "
                + "detected after | peer health: live node cleared after |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (JsonNode size : r.path("sizes")) {
            double cpuUs = size.path("coordinator_cpu_us_per_query").asDouble();
            JsonNode health = size.path("peer_health");
            md.append(String.format(
                    Locale.ROOT,
                    "| %,d | %d | %,d | %,.0f | %.3f | %.1f | %.2f | %.2f | %.2f | %.3f | %.2f | %s | %s | %s |%n",
                    size.path("nodes").asInt(),
                    size.path("spaces_per_node").asInt(),
                    size.path("spaces").asInt(),
                    size.path("node_requests_per_query").asDouble(),
                    cpuUs / 1000,
                    cpuUs / size.path("nodes").asInt(),
                    cpuUs / size.path("spaces").asInt(),
                    size.path("coordinator_alloc_kb_per_query").asDouble() / 1024,
                    size.path("p50_ms").asDouble(),
                    size.path("plan_us").asDouble() / 1000,
                    size.path("memory_in_flight_kb_per_query").asDouble() / 1024,
                    orDash(health.path("messages_per_second_per_node"), "%.1f"),
                    orDash(health.path("dead_node_detected_ms"), "%.0f ms")
                            + (health.path("dead_node_detected_worst_ms").isNumber()
                                    ? orDash(health.path("dead_node_detected_worst_ms"), " (%.0f ms)")
                                    : ""),
                    orDash(health.path("live_node_cleared_ms"), "%.0f ms")));
        }
        md.append('\n');
        // how the coordinator's CPU grows: tenfold spaces per node at the same nodes, against tenfold nodes
        Map<Integer, Map<Integer, Double>> cpu = new java.util.TreeMap<>();
        for (JsonNode size : r.path("sizes")) {
            cpu.computeIfAbsent(size.path("nodes").asInt(), n -> new java.util.TreeMap<>())
                    .put(
                            size.path("spaces_per_node").asInt(),
                            size.path("coordinator_cpu_us_per_query").asDouble());
        }
        List<String> growth = new ArrayList<>();
        cpu.forEach((nodes, bySpaces) -> {
            if (bySpaces.size() >= 2) {
                int fewest = ((java.util.TreeMap<Integer, Double>) bySpaces).firstKey();
                int most = ((java.util.TreeMap<Integer, Double>) bySpaces).lastKey();
                growth.add(String.format(
                        Locale.ROOT,
                        "at %,d nodes, %d → %d spaces per node (%.0fx the spaces) took %.2fx the CPU",
                        nodes,
                        fewest,
                        most,
                        most / (double) fewest,
                        bySpaces.get(most) / bySpaces.get(fewest)));
            }
        });
        if (!growth.isEmpty()) {
            md.append("How the coordinator's CPU per broadcast grows with the spaces, the nodes staying the same: ")
                    .append(String.join("; ", growth))
                    .append(".\n\n");
        }
        md.append("![Coordinator CPU, allocation, plan time and memory in flight per broadcast against the number of "
                        + "nodes, one line per number of spaces per node](")
                .append(CLUSTER_SCALE_PNG)
                .append(")\n\n");
    }

    private static String orDash(JsonNode value, String format) {
        return value.isNumber() ? String.format(Locale.ROOT, format, value.asDouble()) : "–";
    }

    /** {@code IdleClusterCpu}: the CPU of every node of an idle cluster, beside one node alone. */
    void idleCluster(StringBuilder md) {
        if (idleCluster.isEmpty()) {
            return;
        }
        JsonNode r = idleCluster.get();
        md.append("### Idle CPU of a node in an idle cluster (`IdleClusterCpu`)\n\n");
        md.append(String.format(
                Locale.ROOT,
                "%d node processes holding %d spaces between them (%d memories of %d floats per space), calling each "
                        + "other over %s, and beside them one node process holding every space alone, all from "
                        + "`engram-query.jar` (`%s`); nothing queries them. %.0f s after every node was healthy and "
                        + "called every peer over %s, the `utime + stime` of every process was read over %.0f s. "
                        + "CPU as a percentage of one core. Measured %s to %s, load average %s at the start and %s "
                        + "at the end.%n%n",
                r.path("nodes").asInt(),
                r.path("spaces").asInt(),
                r.path("memories_per_space").asInt(),
                r.path("dimensions").asInt(),
                r.path("transport").asText(),
                r.path("node_jvm_options").asText(),
                r.path("settle_s").asDouble(),
                r.path("transport").asText(),
                r.path("measured_s").asDouble(),
                utcMinute(r.path("started").asText()),
                utcMinute(r.path("ended").asText()),
                r.path("load_average_start").asText("unknown"),
                r.path("load_average_end").asText("unknown")));
        md.append("| | CPU % of a core |\n|---|---:|\n");
        md.append(String.format(
                Locale.ROOT,
                "| a node of the idle %d-node cluster, mean | %.2f%% |%n",
                r.path("nodes").asInt(),
                r.path("cluster_node_cpu_percent_mean").asDouble()));
        md.append(String.format(
                Locale.ROOT,
                "| a node of the idle %d-node cluster, the busiest | %.2f%% |%n",
                r.path("nodes").asInt(),
                r.path("cluster_node_cpu_percent_max").asDouble()));
        md.append(String.format(
                Locale.ROOT,
                "| one node alone (no peer) | %.2f%% |%n",
                r.path("single_node_cpu_percent").asDouble()));
        md.append(String.format(
                Locale.ROOT,
                "| a cluster node above the lone node | %.2f%% |%n%n",
                r.path("cluster_node_cpu_percent_above_single").asDouble()));
        md.append(String.format(
                Locale.ROOT,
                "The target of the peer-health work (issue 21): at most 1%% of a core per idle node; %s.%n%n",
                verdict(r.path("cluster_node_cpu_percent_mean").asDouble(), 1.0)));
    }

    /** Writes the plots of this run's results into {@code dir}; returns their paths (none without the results). */
    List<Path> writePlots(Path dir) throws IOException {
        if (clusterScale.isEmpty()) {
            return List.of();
        }
        Map<Integer, List<JsonNode>> bySpaces = new java.util.TreeMap<>();
        for (JsonNode size : clusterScale.get().path("sizes")) {
            bySpaces.computeIfAbsent(size.path("spaces_per_node").asInt(), s -> new ArrayList<>())
                    .add(size);
        }
        List<LogLogChart.Panel> panels = new ArrayList<>();
        String[][] costs = {
            {"Coordinator CPU per broadcast", "CPU ms / query", "coordinator_cpu_us_per_query", "0.001"},
            {"Coordinator allocation per broadcast", "MB / query", "coordinator_alloc_kb_per_query", "0.0009765625"},
            {"Plan time of a broadcast", "ms", "plan_us", "0.001"},
            {"Coordinator memory per query in flight", "MB", "memory_in_flight_kb_per_query", "0.0009765625"}
        };
        for (String[] cost : costs) {
            List<LogLogChart.Series> series = new ArrayList<>();
            bySpaces.forEach((spaces, sizes) -> {
                double[] x = sizes.stream()
                        .mapToDouble(s -> s.path("nodes").asDouble())
                        .toArray();
                double[] y = sizes.stream()
                        .mapToDouble(s -> s.path(cost[2]).asDouble() * Double.parseDouble(cost[3]))
                        .toArray();
                series.add(new LogLogChart.Series(spaces + " spaces per node", x, y));
            });
            panels.add(new LogLogChart.Panel(cost[0], "nodes (log)", cost[1] + " (log)", series));
        }
        Path png = dir.resolve(CLUSTER_SCALE_PNG);
        LogLogChart.write(
                png,
                "ClusterScale: one broadcast recall, simulated nodes in one JVM ("
                        + utcMinute(clusterScale.get().path("started").asText()) + ")",
                panels);
        return List.of(png);
    }

    /** How many spreads were compared before measuring (per transport's cluster, the first one's count). */
    private static int comparedSpreads(JsonNode same) {
        if (same.has("spread")) {
            return same.path("spread").path("compared").asInt();
        }
        Iterator<JsonNode> byTransport = same.elements();
        while (byTransport.hasNext()) {
            JsonNode next = byTransport.next();
            if (next.has("spread")) {
                return next.path("spread").path("compared").asInt();
            }
        }
        return 0;
    }

    /** What the comparison of answers before measuring found, as the end of a sentence. */
    private static String sameAnswers(JsonNode same) {
        if (!same.has("recall") && !same.has("spread")) {
            // one comparison per transport's cluster
            List<String> byTransport = new ArrayList<>();
            same.fields().forEachRemaining(f -> {
                if (f.getValue().isObject()) {
                    byTransport.add(sameAnswers(f.getValue()) + " sides (" + f.getKey() + ")");
                }
            });
            return byTransport.isEmpty() ? "the answers were not compared" : String.join("; ", byTransport);
        }
        List<String> kinds = new ArrayList<>();
        same.fields().forEachRemaining(f -> {
            if (f.getValue().isObject()) {
                kinds.add(String.format(
                        Locale.ROOT,
                        "%d of %d %ss",
                        f.getValue().path("same").asInt(),
                        f.getValue().path("compared").asInt(),
                        f.getKey()));
            }
        });
        return kinds.isEmpty()
                ? "the answers were not compared"
                : String.join(" and ", kinds) + " gave the same matches with the same confidence on both";
    }

    /** An ISO instant as {@code yyyy-MM-dd HH:mm UTC}, or as written when it is not one. */
    private static String utcMinute(String instant) {
        try {
            return java.time.Instant.parse(instant)
                    .atZone(java.time.ZoneOffset.UTC)
                    .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT));
        } catch (java.time.format.DateTimeParseException e) {
            return instant.isEmpty() ? "unknown" : instant;
        }
    }

    private static String row(String name, Optional<Entry> local, Optional<Entry> distributed) {
        String ratio = ratio(
                distributed.map(Entry::score).orElse(Double.NaN),
                local.map(Entry::score).orElse(Double.NaN));
        return "| " + name + " | " + local.map(e -> ms(e.score())).orElse("–") + " | "
                + local.map(e -> ms(e.percentile("99.0"))).orElse("–") + " | "
                + distributed.map(e -> ms(e.score())).orElse("–") + " | "
                + distributed.map(e -> ms(e.percentile("99.0"))).orElse("–") + " | " + ratio + " |\n";
    }

    private void tailAtScale(StringBuilder md) {
        md.append("## Tail at Scale (`TailAtScale`, `BenchmarkTailLatency`)\n\n");
        if (tail.isEmpty()) {
            md.append("`TailAtScale` was not run.\n\n");
        } else {
            JsonNode t = tail.get();
            md.append(String.format(
                    Locale.ROOT,
                    "A query fans out to %d partitions, each with 2 copies, over a simulated transport (calls answered "
                            + "on a timer after %.1f ± %.1f ms; with probability %.0f%% a call is %.0f ms late: %.0f× the "
                            + "base). %d measured queries per column after %d unmeasured, %d at a time. \"p95\" is the "
                            + "executor's adaptive hedging (the node's observed 95th percentile, no floor); \"10 ms\" its "
                            + "fixed mode; hedge budget 50%% so it never starves. Dean & Barroso's setting is 10 ms calls "
                            + "with 1 s stragglers; the shares are scale-free.%n%n",
                    t.path("fanout").asInt(),
                    t.path("base_ms").asDouble(),
                    t.path("jitter_ms").asDouble(),
                    100 * t.path("straggler_probability").asDouble(),
                    t.path("straggler_ms").asDouble(),
                    t.path("straggler_ms").asDouble() / t.path("base_ms").asDouble(),
                    t.path("queries").asInt(),
                    t.path("warmup_queries").asInt(),
                    t.path("concurrency").asInt()));
            Map<String, JsonNode> modes = new LinkedHashMap<>();
            t.path("modes").forEach(m -> modes.put(m.path("hedge").asText(), m));
            List<String> order = new ArrayList<>(modes.keySet());
            md.append("| | paper |");
            order.forEach(m -> md.append(" hedging ").append(label(m)).append(" |"));
            md.append("\n|---|---|");
            order.forEach(m -> md.append("---:|"));
            md.append('\n');
            String straggler =
                    String.format(Locale.ROOT, "%.0f ms", t.path("straggler_ms").asDouble());
            tailRow(
                    md,
                    "queries slower than the straggler (" + straggler + ")",
                    String.format(
                            Locale.ROOT,
                            "≈ %.0f%% without hedging (1 − 0.99^100)",
                            100 * t.path("predicted_slow_share_without_hedging").asDouble()),
                    order,
                    modes,
                    m -> pct(m.path("slow_share").asDouble()));
            tailRow(md, "mean", "", order, modes, m -> ms(m.path("mean_ms").asDouble()));
            tailRow(md, "p50", "", order, modes, m -> ms(m.path("p50_ms").asDouble()));
            tailRow(md, "p99", "", order, modes, m -> ms(m.path("p99_ms").asDouble()));
            tailRow(
                    md,
                    "p99.9",
                    "BigTable, 100 servers: 1,800 ms → 74 ms hedging after 10 ms",
                    order,
                    modes,
                    m -> ms(m.path("p999_ms").asDouble()));
            tailRow(
                    md,
                    "extra requests (hedges / first requests)",
                    "≈ 2% (BigTable, after 10 ms); ≈ 5% hedging at p95",
                    order,
                    modes,
                    m -> pct(m.path("extra_request_share").asDouble()));
            tailRow(
                    md,
                    "observed partition p95 (what p95 hedging waits)",
                    "",
                    order,
                    modes,
                    m -> ms(m.path("observed_p95_partition_latency_ms").asDouble()));
            md.append('\n');
        }
        List<Entry> jmh =
                entries.stream().filter(e -> e.benchmark().startsWith(TAIL)).toList();
        if (!jmh.isEmpty()) {
            md.append("The same setting under JMH (`BenchmarkTailLatency`, sample mode, one query at a time), ms:\n\n");
            md.append(
                    "| hedging | fan-out | samples | mean | p50 | p99 | p99.9 |\n|---|---:|---:|---:|---:|---:|---:|\n");
            for (Entry e : jmh) {
                md.append("| ")
                        .append(label(e.param("hedge")))
                        .append(" | ")
                        .append(e.param("fanout"))
                        .append(" | ")
                        .append(e.samples())
                        .append(" | ")
                        .append(ms(e.score()))
                        .append(" | ")
                        .append(ms(e.percentile("50.0")))
                        .append(" | ")
                        .append(ms(e.percentile("99.0")))
                        .append(" | ")
                        .append(ms(e.percentile("99.9")))
                        .append(" |\n");
            }
            md.append('\n');
        }
    }

    private static String label(String hedge) {
        return switch (hedge) {
            case "p95" -> "at p95";
            case "10ms" -> "after 10 ms";
            default -> hedge;
        };
    }

    private static void tailRow(
            StringBuilder md,
            String name,
            String paper,
            List<String> order,
            Map<String, JsonNode> modes,
            java.util.function.Function<JsonNode, String> value) {
        md.append("| ").append(name).append(" | ").append(paper).append(" |");
        order.forEach(m -> md.append(' ').append(value.apply(modes.get(m))).append(" |"));
        md.append('\n');
    }

    private void overhead(StringBuilder md) {
        List<Entry> overhead =
                entries.stream().filter(e -> e.benchmark().startsWith(OVERHEAD)).toList();
        md.append("## Executor overhead (`BenchmarkExecutorOverhead`)\n\n");
        if (overhead.isEmpty()) {
            md.append("Not run.\n\n");
            return;
        }
        md.append("A recall through the full `QueryService` of a coordinator wired by `EngramQueryModule` (deadline, "
                + "plan, scatter with the Failsafe call policy, merge, consistency, metrics), where every node answers "
                + "at once with 3 fixed matches: what remains is the coordinator's own cost.\n\n");
        md.append("| fan-out | µs per query | ± (99.9% CI) | µs per partition |\n|---:|---:|---:|---:|\n");
        for (Entry e : overhead) {
            int fanout = Integer.parseInt(e.param("fanout"));
            md.append(String.format(
                    Locale.ROOT, "| %d | %.1f | %.1f | %.1f |%n", fanout, e.score(), e.error(), e.score() / fanout));
        }
        md.append('\n');
    }

    private void others(StringBuilder md) {
        List<Entry> rest = entries.stream()
                .filter(e -> !e.benchmark().startsWith(SCATTER)
                        && !e.benchmark().startsWith(OVERHEAD)
                        && !e.benchmark().startsWith(TAIL))
                .toList();
        if (rest.isEmpty()) {
            return;
        }
        md.append(
                "## Other benchmarks\n\n| benchmark | parameters | score | ± (99.9% CI) | unit |\n|---|---|---:|---:|---|\n");
        for (Entry e : rest) {
            md.append("| ")
                    .append(e.benchmark().replace("io.engram.query.benchmarks.", ""))
                    .append(" | ")
                    .append(e.params())
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%.3f | %.3f", e.score(), e.error()))
                    .append(" | ")
                    .append(e.node.path("primaryMetric").path("scoreUnit").asText())
                    .append(" |\n");
        }
        md.append('\n');
    }

    private void settings(StringBuilder md) {
        md.append("## JMH settings of this run\n\n| benchmark | mode | forks | warm-up | measurement | JVM options |\n"
                + "|---|---|---:|---|---|---|\n");
        Set<String> seen = new LinkedHashSet<>();
        for (Entry e : entries) {
            String cls = e.benchmark().substring(0, e.benchmark().lastIndexOf('.'));
            String method = e.method();
            String side = method.endsWith("Distributed")
                    ? " (distributed)"
                    : method.endsWith("Local") ? " (local)" : method.contains("Floor") ? " (floor)" : "";
            String line = String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %d × %s | %d × %s | %s |%n",
                    cls.replace("io.engram.query.benchmarks.", "") + side,
                    e.node.path("mode").asText(),
                    e.node.path("forks").asInt(),
                    e.node.path("warmupIterations").asInt(),
                    e.node.path("warmupTime").asText(),
                    e.node.path("measurementIterations").asInt(),
                    e.node.path("measurementTime").asText(),
                    jvmArgs(e.node.path("jvmArgs")));
            if (seen.add(line)) {
                md.append(line);
            }
        }
        md.append('\n');
    }

    private String jvmArgs(JsonNode args) {
        String joined = String.join(" ", mapper.convertValue(args, String[].class));
        return joined.isBlank() ? "–" : "`" + joined + "`";
    }

    private static String ms(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String pct(double share) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    /** One JMH result: a benchmark method with one set of parameters. */
    private record Entry(String file, JsonNode node) {
        String benchmark() {
            return node.path("benchmark").asText();
        }

        String method() {
            String b = benchmark();
            return b.substring(b.lastIndexOf('.') + 1);
        }

        String param(String name) {
            return node.path("params").path(name).asText("");
        }

        String params() {
            List<String> out = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> fields = node.path("params").fields();
            fields.forEachRemaining(f -> out.add(f.getKey() + "=" + f.getValue().asText()));
            return String.join(", ", out);
        }

        double score() {
            return node.path("primaryMetric").path("score").asDouble(Double.NaN);
        }

        double error() {
            return node.path("primaryMetric").path("scoreError").asDouble(Double.NaN);
        }

        double percentile(String key) {
            return node.path("primaryMetric").path("scorePercentiles").path(key).asDouble(Double.NaN);
        }

        long samples() {
            long n = 0;
            for (JsonNode iteration :
                    node.path("primaryMetric").path("rawDataHistogram").path(0)) {
                for (JsonNode bucket : iteration) {
                    n += bucket.path(1).asLong();
                }
            }
            return n;
        }
    }
}
