package io.engram.query.benchmarks.processes;

import static io.engram.query.benchmarks.CommandLineOptions.positive;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.benchmarks.CommandLineOptions;
import io.engram.query.benchmarks.processes.ClosedLoopLoad.Latencies;
import io.engram.query.benchmarks.processes.ClosedLoopLoad.Slice;
import io.engram.query.benchmarks.report.ResultsFile;
import io.engram.query.executor.engine.Memory;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * One node holding every space against a cluster (3 nodes by default) holding the same spaces, as real processes
 * started from {@code engram-query.jar}: the CPU all node processes spend per query, and the client's latency.
 *
 * <p>{@code local} is one node holding all 6 spaces; {@code cluster} is 3 nodes holding 2 spaces each (by default;
 * replication factor 1), asked through the first of them, which coordinates. Both generate the same synthetic data (the same spec
 * on every node: a space's memories and edges, 10% of them to other spaces, do not depend on which node generates
 * it), and the first answers of each query are compared between the two before anything is measured. Both run
 * during the whole program and take turns in slices of {@code --slice-ms}, which side goes first alternating, so they
 * see the same machine. Queries: a recall of every space (a broadcast) cued with a stored memory's embedding, and a
 * 3-hop spread from one seed memory; each rotates over 64 cues or seeds from every space, in the same order on both
 * sides. Each runs closed-loop with each of {@code --concurrency} clients, from an asynchronous Jetty client in this
 * JVM; every answer must be a 200 with full coverage, else it is counted as a failure and the run is flagged.
 *
 * <p>CPU: {@code utime + stime} of every node process of the side measured, from {@code /proc/<pid>/stat}, read
 * before and after each slice (a slice ends when its last query is answered), divided by the slice's queries. It
 * includes whatever else the nodes do meanwhile (JIT, GC, the cluster's health probes).
 *
 * <p>{@code --transports tcp,http} starts one cluster per {@code transport.type} (its nodes call each other over it;
 * measuring starts once every node calls every peer over it), all beside the one local node, the slices rotating over
 * all sides; each comparison row names its transport and holds the same local figures.
 *
 * <p>Usage: {@code RealProcessComparison [--jar engram-query-transport-http/target/engram-query.jar] [--transports
 * tcp,http] [--warmup-s 60] [--measure-s 10] [--slice-ms 2500] [--concurrency 4,16] [--memories 2000] [--spaces 6]
 * [--nodes 3] [--dimensions 128] [--json FILE]}; {@code --warmup-s} and {@code --measure-s} are per side (and per query
 * and concurrency, for the latter). {@code --spaces} and {@code --nodes} size the cluster (the spaces a multiple of the
 * nodes): issue 21's real-process scale test is {@code --spaces 48 --nodes 8 --memories 100 --dimensions 32}.
 */
public final class RealProcessComparison {
    static final int SPACES = 6;
    static final int CLUSTER_NODES = 3;
    static final int DIMENSIONS = 128;
    static final int CLUSTERS = 50;
    static final int EDGES_PER_MEMORY = 4;
    static final double CROSS_SPACE_EDGE_FRACTION = 0.1;
    static final long SEED = 7;
    static final int QUERIES_PER_KIND = 64;
    static final int RECALL_LIMIT = 10;
    static final int SPREAD_LIMIT = 100;
    static final int SPREAD_MAX_HOPS = 3;
    /** Client queries a node coordinates at once; above the default (8 per core) so 16 clients are never shed. */
    static final int MAX_CONCURRENT_QUERIES = 256;
    /**
     * Partition runs that may wait for a compute thread, set on both sides. The former default (32 per compute thread,
     * 64 on 2 cores) refused some of 16 concurrent broadcasts over 6 spaces on the one-node side (96 partitions),
     * which then answered partial and cheaper; the default is now 1000, and this keeps earlier runs comparable.
     */
    static final int MAX_QUEUED_PARTITIONS = 1024;

    private static final List<String> OPTIONS = List.of(
            "jar",
            "transports",
            "warmup-s",
            "measure-s",
            "slice-ms",
            "concurrency",
            "memories",
            "spaces",
            "nodes",
            "dimensions",
            "json");
    /** {@code transport.type} values a cluster can be started with. */
    static final List<String> TRANSPORTS = List.of("tcp", "http");

    private RealProcessComparison() {}

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0);
    }

    /** Runs the comparison and returns the figures {@code --json} writes. */
    static ObjectNode run(String[] args) throws IOException {
        Map<String, String> options = parse(args);
        Path jar = Path.of(options.getOrDefault("jar", "engram-query-transport-http/target/engram-query.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("the node jar " + jar.toAbsolutePath()
                    + " is missing; build it with mvn -B -q -DskipTests package -pl engram-query-transport-http -am");
        }
        long warmupNanos = TimeUnit.SECONDS.toNanos(positive(options, "warmup-s", 60));
        long measureNanos = TimeUnit.SECONDS.toNanos(positive(options, "measure-s", 10));
        long sliceNanos = TimeUnit.MILLISECONDS.toNanos(positive(options, "slice-ms", 2500));
        int memories = (int) positive(options, "memories", 2000);
        int spaceCount = (int) positive(options, "spaces", SPACES);
        int clusterNodes = (int) positive(options, "nodes", CLUSTER_NODES);
        int dimensions = (int) positive(options, "dimensions", DIMENSIONS);
        if (clusterNodes < 2 || spaceCount % clusterNodes != 0) {
            throw new IllegalArgumentException("--spaces must be a multiple of --nodes, and --nodes at least 2, got "
                    + spaceCount + " spaces on " + clusterNodes + " nodes");
        }
        List<Integer> concurrency = Arrays.stream(
                        options.getOrDefault("concurrency", "4,16").split(","))
                .map(String::trim)
                .map(c -> (int) positive(Map.of("concurrency", c), "concurrency", 1))
                .toList();
        int slicesPerSide = (int) Math.max(1, (measureNanos + sliceNanos - 1) / sliceNanos);
        List<String> transports = Arrays.stream(options.getOrDefault("transports", String.join(",", TRANSPORTS))
                        .split(","))
                .map(String::trim)
                .toList();
        for (String transport : transports) {
            if (!TRANSPORTS.contains(transport)) {
                throw new IllegalArgumentException(
                        "--transports must name some of " + TRANSPORTS + ", got '" + transport + "'");
            }
        }

        SyntheticSpec data = new SyntheticSpec(
                spaceCount,
                memories,
                dimensions,
                Math.min(CLUSTERS, memories),
                EDGES_PER_MEMORY,
                CROSS_SPACE_EDGE_FRACTION,
                SEED);
        Map<String, List<String>> queries = queries(data);
        ProcessCpu cpu = ProcessCpu.system();

        ObjectNode report = ClosedLoopLoad.JSON.createObjectNode();
        report.put("started", Instant.now().toString());
        report.put("load_average_start", loadAverage());
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("clock_ticks_per_second", cpu.ticksPerSecond());
        ObjectNode dataNode = report.putObject("data");
        dataNode.put("spaces", data.spaces());
        dataNode.put("memories_per_space", data.memoriesPerSpace());
        dataNode.put("dimensions", data.dimensions());
        dataNode.put("clusters", data.clusters());
        dataNode.put("edges_per_memory", data.edgesPerMemory());
        dataNode.put("cross_space_edge_fraction", data.crossSpaceEdgeFraction());
        dataNode.put("seed", data.seed());
        ObjectNode setups = report.putObject("setups");
        setups.putObject("local").put("nodes", 1).put("spaces_per_node", spaceCount);
        setups.putObject("cluster")
                .put("nodes", clusterNodes)
                .put("spaces_per_node", spaceCount / clusterNodes)
                .put("replication_factor", 1);
        report.put("node_jvm_options", String.join(" ", NodeProcesses.JVM_OPTIONS));
        report.put("max_concurrent_queries", MAX_CONCURRENT_QUERIES);
        report.put("max_queued_partitions", MAX_QUEUED_PARTITIONS);
        report.put("warmup_s", warmupNanos / 1e9);
        report.put("measure_s", measureNanos / 1e9);
        report.put("slice_ms", sliceNanos / 1e6);
        report.put("slices_per_side", slicesPerSide);
        transports.forEach(report.putArray("transports")::add);
        report.put("recall_limit", RECALL_LIMIT);
        report.put("spread_limit", SPREAD_LIMIT);
        report.put("spread_max_hops", SPREAD_MAX_HOPS);

        Path dir = Files.createTempDirectory("engram-realproc-");
        System.out.println("node configurations and logs in " + dir);
        int maxClients = concurrency.stream().mapToInt(Integer::intValue).max().orElseThrow();
        Map<String, String> extraToml = new LinkedHashMap<>();
        extraToml.put("http", "max_concurrent_queries = " + MAX_CONCURRENT_QUERIES + "\nstop_timeout_ms = 2000");
        extraToml.put("query", "max_queued_partitions = " + MAX_QUEUED_PARTITIONS);
        Map<String, NodeProcesses> sides = new LinkedHashMap<>();
        try (ClosedLoopLoad load = new ClosedLoopLoad(maxClients)) {
            sides.put(
                    "local",
                    NodeProcesses.start(
                            "local",
                            dir.resolve("local"),
                            jar,
                            data,
                            assignment(data, 1),
                            "http",
                            extraToml,
                            load.http()));
            for (String transport : transports) {
                sides.put(
                        transport,
                        NodeProcesses.start(
                                "cluster-" + transport,
                                dir.resolve("cluster-" + transport),
                                jar,
                                data,
                                assignment(data, clusterNodes),
                                transport,
                                extraToml,
                                load.http()));
            }
            for (NodeProcesses side : sides.values()) {
                awaitFullCoverage(load, side, queries.get("recall").get(0));
            }
            ObjectNode same = ClosedLoopLoad.JSON.createObjectNode();
            boolean allSame = true;
            for (String transport : transports) {
                ObjectNode check = sameAnswers(load, sides.get("local"), sides.get(transport), queries);
                same.set(transport, check);
                allSame &= check.path("all_same").asBoolean();
            }
            same.put("all_same", allSame);
            report.set("same_answers", same);

            System.out.printf(
                    Locale.ROOT, "warm-up: %d s per side, %d clients%n", warmupNanos / 1_000_000_000L, maxClients);
            List<NodeProcesses> order = List.copyOf(sides.values());
            long warmupEnd = System.nanoTime() + order.size() * warmupNanos;
            AtomicLong warmupNext = new AtomicLong();
            for (int i = 0; System.nanoTime() < warmupEnd; i++) {
                List<String> bodies = queries.get(i / order.size() % 2 == 0 ? "recall" : "spread");
                NodeProcesses side = order.get(i % order.size());
                load.run(side.entry(), bodies, warmupNext, maxClients, Math.min(sliceNanos, warmupNanos));
            }

            ArrayNode comparisons = report.putArray("comparisons");
            int failures = 0;
            for (String query : queries.keySet()) {
                for (int clients : concurrency) {
                    for (ObjectNode comparison :
                            compare(load, cpu, sides, queries.get(query), clients, slicesPerSide, sliceNanos)) {
                        comparison.put("query", query);
                        comparison.put("clients", clients);
                        comparisons.add(reorder(comparison));
                        failures += comparison.path("cluster").path("failures").asInt();
                        print(comparison);
                    }
                    failures += comparisons
                            .get(comparisons.size() - 1)
                            .path("local")
                            .path("failures")
                            .asInt();
                }
            }
            report.put("failures", failures);
            report.put(
                    "flagged",
                    failures > 0
                            || !report.path("same_answers").path("all_same").asBoolean());
        } finally {
            closeAll(sides.values());
            report.put("ended", Instant.now().toString());
            report.put("load_average_end", loadAverage());
        }
        if (options.containsKey("json")) {
            ResultsFile.write(Path.of(options.get("json")), report);
        }
        if (report.path("flagged").asBoolean()) {
            System.out.println("FLAGGED: " + report.path("failures").asInt() + " failed queries; same answers: "
                    + report.path("same_answers").path("all_same").asBoolean() + "; node logs kept in " + dir);
        } else {
            deleteTree(dir);
        }
        return report;
    }

    /** Spaces {@code s1 .. s<spaces>} over {@code n1 .. n<nodes>}, in consecutive runs of equal size. */
    static Map<String, List<String>> assignment(SyntheticSpec data, int nodes) {
        Map<String, List<String>> byNode = new LinkedHashMap<>();
        List<MemorySpaceId> spaces = new SyntheticDataGenerator(data).spaces();
        int perNode = spaces.size() / nodes;
        for (int i = 0; i < spaces.size(); i++) {
            byNode.computeIfAbsent("n" + (Math.min(i / perNode, nodes - 1) + 1), n -> new ArrayList<>())
                    .add(spaces.get(i).value());
        }
        return byNode;
    }

    /**
     * The query bodies, by kind: recalls of every space cued with the embeddings of stored memories, and one-seed
     * spreads from stored memories, taken from every space in turn.
     */
    static Map<String, List<String>> queries(SyntheticSpec data) {
        SyntheticDataGenerator generator = new SyntheticDataGenerator(data);
        List<MemorySpaceId> spaces = generator.spaces();
        Map<MemorySpaceId, List<Memory>> memories = new TreeMap<>(Comparator.comparing(MemorySpaceId::value));
        spaces.forEach(space -> memories.put(space, generator.memories(space)));
        List<String> recalls = new ArrayList<>();
        List<String> spreads = new ArrayList<>();
        for (int k = 0; k < QUERIES_PER_KIND; k++) {
            MemorySpaceId space = spaces.get(k % spaces.size());
            int index = (int) ((k * 7919L) % data.memoriesPerSpace());
            ObjectNode recall = ClosedLoopLoad.JSON.createObjectNode();
            recall.put("type", "recall");
            recall.putArray("spaces");
            ArrayNode cue = recall.putObject("cue").putArray("embedding");
            for (float f : memories.get(space).get(index).embedding().toArray()) {
                cue.add(f);
            }
            recall.put("limit", RECALL_LIMIT);
            recalls.add(recall.toString());
            ObjectNode spread = ClosedLoopLoad.JSON.createObjectNode();
            spread.put("type", "spread");
            spread.putArray("seeds")
                    .add(SyntheticDataGenerator.memoryId(space, index).value());
            spread.putArray("spaces");
            spread.put("max_hops", SPREAD_MAX_HOPS);
            spread.put("limit", SPREAD_LIMIT);
            spreads.add(spread.toString());
        }
        Map<String, List<String>> queries = new LinkedHashMap<>();
        queries.put("recall", List.copyOf(recalls));
        queries.put("spread", List.copyOf(spreads));
        return queries;
    }

    /** Waits (at most 60 s) until {@code side} answers from every space: peers' first probes may still be pending. */
    private static void awaitFullCoverage(ClosedLoopLoad load, NodeProcesses side, String recall) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (AnswerCheck.of(load.query(side.entry(), recall).toString().getBytes(UTF_8))
                .failure()
                .isPresent()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(side.name() + " did not answer from every space within 60 s");
            }
            NodeProcesses.sleep(100);
        }
    }

    /**
     * Sends every query once to both sides and compares the answers: the same memories in the same order with the
     * same confidence. The comparison is only fair when both serve the same data.
     */
    private static ObjectNode sameAnswers(
            ClosedLoopLoad load, NodeProcesses local, NodeProcesses cluster, Map<String, List<String>> queries) {
        ObjectNode out = ClosedLoopLoad.JSON.createObjectNode();
        boolean allSame = true;
        for (Map.Entry<String, List<String>> kind : queries.entrySet()) {
            int same = 0;
            long matches = 0;
            List<String> differing = new ArrayList<>();
            for (String body : kind.getValue()) {
                List<String> a = answerKey(load.query(local.entry(), body));
                List<String> b = answerKey(load.query(cluster.entry(), body));
                matches += a.size();
                if (a.equals(b)) {
                    same++;
                } else if (differing.size() < 3) {
                    differing.add("local " + a.subList(0, Math.min(3, a.size())) + "... against cluster "
                            + b.subList(0, Math.min(3, b.size())) + "...");
                }
            }
            ObjectNode node = out.putObject(kind.getKey());
            node.put("compared", kind.getValue().size());
            node.put("same", same);
            node.put("mean_matches", (double) matches / kind.getValue().size());
            differing.forEach(node.putArray("differing")::add);
            allSame &= same == kind.getValue().size();
        }
        out.put("all_same", allSame);
        System.out.println("same answers on both sides: " + out);
        return out;
    }

    /** An answer's matches as {@code id@confidence}, confidence rounded to 6 places (the wire may round floats). */
    private static List<String> answerKey(JsonNode answer) {
        List<String> key = new ArrayList<>();
        for (JsonNode match : answer.path("matches")) {
            key.add(String.format(
                    Locale.ROOT,
                    "%s@%.6f",
                    match.path("memory_id").asText(),
                    match.path("confidence").asDouble()));
        }
        return key;
    }

    /**
     * Measures one query at one concurrency: slices of every side in turn (local, then a cluster per transport), the
     * order rotating every round so each side goes first alike; one comparison per transport, each against the same
     * local slices.
     */
    private static List<ObjectNode> compare(
            ClosedLoopLoad load,
            ProcessCpu cpu,
            Map<String, NodeProcesses> sides,
            List<String> bodies,
            int clients,
            int slicesPerSide,
            long sliceNanos) {
        List<String> names = List.copyOf(sides.keySet());
        Map<String, Totals> totals = new LinkedHashMap<>();
        Map<String, AtomicLong> next = new LinkedHashMap<>();
        for (String side : names) {
            totals.put(side, new Totals(sides.get(side).pids().keySet()));
            next.put(side, new AtomicLong());
        }
        for (int i = 0; i < slicesPerSide; i++) {
            for (int k = 0; k < names.size(); k++) {
                String side = names.get((i + k) % names.size());
                Map<String, Long> pids = sides.get(side).pids();
                Map<String, Long> before = ticks(cpu, pids);
                long selfBefore = cpu.ticks(ProcessHandle.current().pid());
                Slice slice = load.run(sides.get(side).entry(), bodies, next.get(side), clients, sliceNanos);
                long selfAfter = cpu.ticks(ProcessHandle.current().pid());
                Map<String, Long> after = ticks(cpu, pids);
                totals.get(side).add(slice, before, after, selfAfter - selfBefore);
            }
        }
        ObjectNode local = totals.get("local").summary(cpu);
        List<ObjectNode> out = new ArrayList<>();
        for (String transport : names.subList(1, names.size())) {
            ObjectNode comparison = ClosedLoopLoad.JSON.createObjectNode();
            ObjectNode cluster = totals.get(transport).summary(cpu);
            comparison.put("transport", transport);
            comparison.set("local", local);
            comparison.set("cluster", cluster);
            comparison.put("cpu_ratio", ratio(cluster, local, "cpu_ms_per_query"));
            comparison.put("p50_ratio", ratio(cluster, local, "p50_ms"));
            comparison.put("p99_ratio", ratio(cluster, local, "p99_ms"));
            comparison.put("throughput_ratio", ratio(cluster, local, "throughput_qps"));
            out.add(comparison);
        }
        return out;
    }

    /** Closes every side, even when one fails to close. */
    private static void closeAll(Iterable<NodeProcesses> sides) {
        RuntimeException first = null;
        for (NodeProcesses side : sides) {
            try {
                side.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** {@code query} and {@code clients} first, for people reading the file. */
    private static ObjectNode reorder(ObjectNode comparison) {
        ObjectNode out = ClosedLoopLoad.JSON.createObjectNode();
        out.set("query", comparison.get("query"));
        out.set("clients", comparison.get("clients"));
        out.set("transport", comparison.get("transport"));
        comparison.fields().forEachRemaining(f -> out.putIfAbsent(f.getKey(), f.getValue()));
        return out;
    }

    private static double ratio(JsonNode a, JsonNode b, String field) {
        return a.path(field).asDouble() / b.path(field).asDouble();
    }

    private static Map<String, Long> ticks(ProcessCpu cpu, Map<String, Long> pids) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        pids.forEach((node, pid) -> ticks.put(node, cpu.ticks(pid)));
        return ticks;
    }

    private static void print(ObjectNode c) {
        for (String side : List.of("local", "cluster")) {
            JsonNode s = c.path(side);
            System.out.printf(
                    Locale.ROOT,
                    "%-6s %2d clients %-4s %-7s p50 %6.2f ms, p99 %6.2f ms, %7.0f q/s, CPU %.3f ms/query (load"
                            + " generator %.3f), %d queries, %d failed%n",
                    c.path("query").asText(),
                    c.path("clients").asInt(),
                    c.path("transport").asText(),
                    side,
                    s.path("p50_ms").asDouble(),
                    s.path("p99_ms").asDouble(),
                    s.path("throughput_qps").asDouble(),
                    s.path("cpu_ms_per_query").asDouble(),
                    s.path("load_generator_cpu_ms_per_query").asDouble(),
                    s.path("queries").asInt(),
                    s.path("failures").asInt());
        }
        System.out.printf(
                Locale.ROOT,
                "%-6s %2d clients %-4s cluster/local: CPU %.2fx, p50 %.2fx, throughput %.2fx%n",
                c.path("query").asText(),
                c.path("clients").asInt(),
                c.path("transport").asText(),
                c.path("cpu_ratio").asDouble(),
                c.path("p50_ratio").asDouble(),
                c.path("throughput_ratio").asDouble());
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split(" ");
            return String.join(" ", Arrays.asList(fields).subList(0, 3));
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Map<String, String> parse(String[] args) {
        return CommandLineOptions.parse(
                args,
                OPTIONS,
                "RealProcessComparison [--jar FILE] [--transports tcp,http] [--warmup-s N]"
                        + " [--measure-s N] [--slice-ms N] [--concurrency N,N] [--memories N] [--spaces N] [--nodes N]"
                        + " [--dimensions N] [--json FILE]");
    }

    /** One side's slices of one query and concurrency, added up. */
    private static final class Totals {
        private final Latencies latencies = new Latencies();
        private final Map<String, Long> nodeTicks = new LinkedHashMap<>();
        private final Map<String, Integer> failures = new TreeMap<>();
        /** Node CPU ticks and queries of each slice, in order: drift across slices shows a warm-up too short. */
        private final List<long[]> perSlice = new ArrayList<>();

        private long selfTicks;
        private long elapsedNanos;
        private long partitions;
        private int queries;
        private int slices;

        Totals(Iterable<String> nodes) {
            nodes.forEach(n -> nodeTicks.put(n, 0L));
        }

        void add(Slice slice, Map<String, Long> before, Map<String, Long> after, long self) {
            latencies.add(slice.latencyNanos());
            before.forEach((node, ticks) -> nodeTicks.merge(node, after.get(node) - ticks, Long::sum));
            slice.failures().forEach((kind, n) -> failures.merge(kind, n, Integer::sum));
            selfTicks += self;
            elapsedNanos += slice.elapsedNanos();
            partitions += slice.partitions();
            queries += slice.queries();
            slices++;
            long ticks = 0;
            for (Map.Entry<String, Long> b : before.entrySet()) {
                ticks += after.get(b.getKey()) - b.getValue();
            }
            perSlice.add(new long[] {ticks, slice.queries()});
        }

        ObjectNode summary(ProcessCpu cpu) {
            long[] sorted = latencies.sorted();
            long ticks = nodeTicks.values().stream().mapToLong(Long::longValue).sum();
            ObjectNode s = ClosedLoopLoad.JSON.createObjectNode();
            s.put("queries", queries);
            s.put(
                    "failures",
                    failures.values().stream().mapToInt(Integer::intValue).sum());
            ObjectNode kinds = s.putObject("failure_kinds");
            failures.forEach(kinds::put);
            s.put("slices", slices);
            ArrayNode sliceCpu = s.putArray("slice_cpu_ms_per_query");
            perSlice.forEach(t -> sliceCpu.add(cpu.millis(t[0]) / Math.max(1, t[1])));
            s.put("seconds", elapsedNanos / 1e9);
            s.put("throughput_qps", queries / (elapsedNanos / 1e9));
            s.put("mean_ms", Arrays.stream(sorted).average().orElse(Double.NaN) / 1e6);
            s.put("p50_ms", Latencies.percentileMs(sorted, 50));
            s.put("p99_ms", Latencies.percentileMs(sorted, 99));
            s.put("cpu_ms", cpu.millis(ticks));
            s.put("cpu_ms_per_query", cpu.millis(ticks) / queries);
            ObjectNode byNode = s.putObject("cpu_ms_per_query_by_node");
            nodeTicks.forEach((node, t) -> byNode.put(node, cpu.millis(t) / queries));
            s.put("load_generator_cpu_ms_per_query", cpu.millis(selfTicks) / queries);
            s.put("partitions_per_query", (double) partitions / queries);
            return s;
        }
    }
}
