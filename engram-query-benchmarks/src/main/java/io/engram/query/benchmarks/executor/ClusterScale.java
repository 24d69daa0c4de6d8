package io.engram.query.benchmarks.executor;

import static io.engram.query.benchmarks.CommandLineOptions.positive;

import io.engram.query.api.Deadline;
import io.engram.query.api.QueryResult;
import io.engram.query.benchmarks.CommandLineOptions;
import io.engram.query.benchmarks.membership.MembershipSimulation;
import io.engram.query.benchmarks.report.ResultsFile;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.planner.QueryPlanner;
import io.engram.query.planner.membership.MembershipConfig;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * How a coordinator's cost of one broadcast grows with the cluster (issue 21): for every size of {@code --nodes} ×
 * {@code --spaces-per-node}, a {@link ScaleCluster} of simulated nodes in this JVM, one broadcast recall at a time.
 *
 * <ul>
 *   <li><b>coordinator CPU and allocation per query</b>: the CPU time and allocated bytes of every Java thread of this
 *       JVM but the simulated nodes' ({@link SimulatedNodesTransport#NODE_THREAD}) over {@code --measure-s} of
 *       queries (after {@code --warmup-s}), divided by the queries: the caller's thread (plan, dispatch), the
 *       simulated network thread (the coordinator's merge runs there, as on a transport's I/O thread) and the
 *       coordinator's timers. Garbage collection is not in it; its time is reported beside.
 *   <li><b>plan time</b>: {@link QueryPlanner#plan} of the broadcast by itself, wall and CPU time.
 *   <li><b>memory per query in flight</b>: the heap the coordinator holds for one query once every node but one has
 *       answered (the aggregator with every answer merged, and the partitions' and calls' state): {@code K} queries
 *       are held so, the heap is measured after a full GC, then again after they finish.
 * </ul>
 *
 * <p>Beside these, per size, the peer-health protocol's figures from {@link MembershipSimulation} (the nodes' own SWIM
 * code on a virtual clock, once per number of nodes): messages per second per node (probes and probe requests sent,
 * and their acks), the time until every peer declares a killed node dead (median and worst of five), and the time
 * until no peer suspects a node that was paused for 40% of the suspicion timeout.
 *
 * <p>Usage: {@code ClusterScale [--nodes 10,100,1000] [--spaces-per-node 10,100] [--warmup-s 5] [--measure-s 5]
 * [--held-queries 4] [--json FILE]}. Give it heap for 1,000 nodes × 100 spaces ({@code -Xmx3g}).
 */
public final class ClusterScale {
    /** Peer health depends on the number of nodes only: measured once per size. */
    private static final Map<Integer, MembershipSimulation.Result> PEER_HEALTH =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static final List<String> OPTIONS =
            List.of("nodes", "spaces-per-node", "warmup-s", "measure-s", "held-queries", "json");
    private static final long MIN_QUERIES = 5;

    private ClusterScale() {}

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0);
    }

    /** Runs every size and returns the figures {@code --json} writes. */
    static Map<String, Object> run(String[] args) throws Exception {
        Map<String, String> options = CommandLineOptions.parse(
                args,
                OPTIONS,
                "ClusterScale [--nodes N,N] [--spaces-per-node N,N] [--warmup-s N] [--measure-s N]"
                        + " [--held-queries N] [--json FILE]");
        List<Integer> nodes = list(options, "nodes", "10,100,1000");
        List<Integer> spacesPerNode = list(options, "spaces-per-node", "10,100");
        long warmupNanos = TimeUnit.SECONDS.toNanos(positive(options, "warmup-s", 5));
        long measureNanos = TimeUnit.SECONDS.toNanos(positive(options, "measure-s", 5));
        int held = (int) positive(options, "held-queries", 4);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("started", Instant.now().toString());
        report.put("load_average_start", loadAverage());
        report.put("cores", Runtime.getRuntime().availableProcessors());
        report.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        report.put("base_ms", ScaleCluster.BASE.toNanos() / 1e6);
        report.put("jitter_ms", ScaleCluster.JITTER.toNanos() / 1e6);
        report.put("limit", ScaleCluster.LIMIT);
        report.put("dimensions", ScaleCluster.DIMENSIONS);
        report.put("max_fanout", ScaleCluster.MAX_FANOUT);
        report.put("max_result_matches", ScaleCluster.MAX_RESULT_MATCHES);
        report.put("warmup_s", warmupNanos / 1e9);
        report.put("measure_s", measureNanos / 1e9);
        report.put("held_queries", held);
        List<Map<String, Object>> sizes = new ArrayList<>();
        for (int n : nodes) {
            for (int s : spacesPerNode) {
                Map<String, Object> size = measure(n, s, warmupNanos, measureNanos, held);
                sizes.add(size);
                System.out.printf(
                        Locale.ROOT,
                        "%5d nodes x %3d spaces: coordinator CPU %9.1f us/query, alloc %9.1f KB/query, p50 %7.2f ms,"
                                + " plan %8.1f us, in flight %8.1f KB/query, %.0f node requests/query (%d queries)%n",
                        n,
                        s,
                        size.get("coordinator_cpu_us_per_query"),
                        size.get("coordinator_alloc_kb_per_query"),
                        size.get("p50_ms"),
                        size.get("plan_us"),
                        size.get("memory_in_flight_kb_per_query"),
                        size.get("node_requests_per_query"),
                        size.get("queries"));
            }
        }
        report.put("sizes", sizes);
        report.put("ended", Instant.now().toString());
        report.put("load_average_end", loadAverage());
        if (options.containsKey("json")) {
            ResultsFile.write(Path.of(options.get("json")), report);
        }
        return report;
    }

    private static Map<String, Object> measure(
            int nodes, int spacesPerNode, long warmupNanos, long measureNanos, int held) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("nodes", nodes);
        out.put("spaces_per_node", spacesPerNode);
        out.put("spaces", nodes * spacesPerNode);
        long setupStart = System.nanoTime();
        try (ScaleCluster cluster = new ScaleCluster(nodes, spacesPerNode)) {
            out.put("setup_ms", (System.nanoTime() - setupStart) / 1e6);
            runFor(cluster, warmupNanos, null);

            long nodeRequests = cluster.count(QueryMetrics.NODE_REQUESTS);
            long partitionRequests = cluster.count(QueryMetrics.PARTITION_REQUESTS);
            long gcBefore = gcMillis();
            ThreadCosts before = ThreadCosts.now();
            List<Long> latencies = new ArrayList<>();
            long elapsed = runFor(cluster, measureNanos, latencies);
            ThreadCosts after = ThreadCosts.now();
            long gc = gcMillis() - gcBefore;
            int queries = latencies.size();
            ThreadCosts.Delta delta = after.minus(before);
            out.put("queries", queries);
            out.put("coordinator_cpu_us_per_query", delta.coordinatorCpuNanos() / 1e3 / queries);
            out.put("coordinator_alloc_kb_per_query", delta.coordinatorAllocatedBytes() / 1024.0 / queries);
            out.put("simulated_nodes_cpu_us_per_query", delta.nodeCpuNanos() / 1e3 / queries);
            out.put("gc_ms_per_query", gc / (double) queries);
            long[] sorted =
                    latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            out.put("mean_ms", Arrays.stream(sorted).average().orElse(Double.NaN) / 1e6);
            out.put("p50_ms", percentile(sorted, 0.5));
            out.put("p99_ms", percentile(sorted, 0.99));
            out.put("throughput_qps", queries / (elapsed / 1e9));
            out.put(
                    "node_requests_per_query",
                    (cluster.count(QueryMetrics.NODE_REQUESTS) - nodeRequests) / (double) queries);
            out.put(
                    "partition_requests_per_query",
                    (cluster.count(QueryMetrics.PARTITION_REQUESTS) - partitionRequests) / (double) queries);
            planTime(cluster, out);
            out.put("memory_in_flight_kb_per_query", memoryInFlight(cluster, held) / 1024.0);
        }
        // the peer-health protocol at this many nodes, the code the nodes run, on a virtual clock (its defaults)
        Map<String, Object> peerHealth = new LinkedHashMap<>();
        if (nodes < 3) {
            out.put("peer_health", peerHealth); // the simulation needs a node to kill, one to pause and one to watch
            return out;
        }
        MembershipSimulation.Result health = PEER_HEALTH.computeIfAbsent(
                nodes, n -> MembershipSimulation.measure(n, MembershipConfig.defaults(), 0.0, 42));
        peerHealth.put(
                "messages_per_second_per_node", health.requestsPerSecondPerNode() + health.answersPerSecondPerNode());
        peerHealth.put("dead_node_detected_ms", health.allDeclaredDeadMs());
        peerHealth.put("dead_node_detected_worst_ms", health.allDeclaredDeadMaxMs());
        peerHealth.put("live_node_cleared_ms", health.pausedClearedMs());
        peerHealth.put("paused_node_evicted", health.pausedEvicted());
        out.put("peer_health", peerHealth);
        return out;
    }

    /**
     * Runs broadcasts one at a time for {@code nanos} (at least {@link #MIN_QUERIES}), each checked: full coverage and
     * {@code limit} matches. Adds each one's latency to {@code latencies} when given; returns the time taken.
     */
    private static long runFor(ScaleCluster cluster, long nanos, List<Long> latencies) {
        long start = System.nanoTime();
        long end = start + nanos;
        int done = 0;
        while (done < MIN_QUERIES || System.nanoTime() < end) {
            long sent = System.nanoTime();
            QueryResult result = cluster.service().execute(cluster.broadcast()).join();
            long took = System.nanoTime() - sent;
            check(cluster, result);
            if (latencies != null) {
                latencies.add(took);
            }
            done++;
        }
        return System.nanoTime() - start;
    }

    private static void check(ScaleCluster cluster, QueryResult result) {
        if (!result.coverage().isComplete()
                || result.coverage().expectedPartitions() != cluster.spaces()
                || result.matches().size() != ScaleCluster.LIMIT) {
            throw new IllegalStateException("a broadcast over " + cluster.spaces() + " spaces answered "
                    + result.matches().size() + " matches with coverage " + result.coverage());
        }
    }

    /** The planner's time for the broadcast alone: wall, CPU and allocation of this thread, over about a second. */
    private static void planTime(ScaleCluster cluster, Map<String, Object> out) {
        QueryPlanner planner = cluster.planner();
        com.sun.management.ThreadMXBean threads = ThreadCosts.THREADS;
        long self = Thread.currentThread().getId();
        for (int i = 0; i < 20; i++) { // warm: the queries above planned the same broadcast already
            planner.plan(cluster.broadcast(), Deadline.after(Duration.ofSeconds(30)));
        }
        long cpuBefore = threads.getCurrentThreadCpuTime();
        long allocBefore = threads.getThreadAllocatedBytes(self);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(1);
        int plans = 0;
        while (plans < MIN_QUERIES || System.nanoTime() < end) {
            planner.plan(cluster.broadcast(), Deadline.after(Duration.ofSeconds(30)));
            plans++;
        }
        long wall = System.nanoTime() - start;
        out.put("plans", plans);
        out.put("plan_us", wall / 1e3 / plans);
        out.put("plan_cpu_us", (threads.getCurrentThreadCpuTime() - cpuBefore) / 1e3 / plans);
        out.put("plan_alloc_kb", (threads.getThreadAllocatedBytes(self) - allocBefore) / 1024.0 / plans);
    }

    /**
     * The heap one query holds on the coordinator once every node but the last has answered: {@code held} queries
     * started together with the last node's answers parked, the heap after a full GC, then again once they finished.
     */
    private static double memoryInFlight(ScaleCluster cluster, int held) throws InterruptedException {
        SimulatedNodesTransport transport = cluster.transport();
        transport.hold(cluster.lastNode());
        List<CompletableFuture<QueryResult>> queries = new ArrayList<>();
        long holding;
        try {
            for (int i = 0; i < held; i++) {
                queries.add(cluster.service().execute(cluster.broadcast()));
            }
            awaitOnlyParked(transport, queries);
            holding = liveHeap();
        } finally {
            transport.releaseHeld();
        }
        queries.forEach(q -> check(cluster, q.join()));
        long after = liveHeap();
        return Math.max(0, holding - after) / (double) held;
    }

    /** Waits (at most 60 s) until every exchange in flight is a parked one, twice 20 ms apart. */
    private static void awaitOnlyParked(SimulatedNodesTransport transport, List<CompletableFuture<QueryResult>> queries)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int stable = 0;
        while (stable < 2) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("queries did not come down to the held node's answers within 60 s: "
                        + transport.inFlight() + " in flight, " + transport.parked() + " parked");
            }
            if (queries.stream().anyMatch(CompletableFuture::isDone)) {
                throw new IllegalStateException("a query finished while one node's answers were held");
            }
            int parked = transport.parked();
            stable = parked > 0 && transport.inFlight() == parked ? stable + 1 : 0;
            Thread.sleep(20); // the simulated nodes answer on their own threads: there is nothing to wait on
        }
    }

    private static long liveHeap() {
        for (int i = 0; i < 2; i++) {
            System.gc(); // a full collection under G1: what is left is live
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    private static List<Integer> list(Map<String, String> options, String name, String fallback) {
        return Arrays.stream(options.getOrDefault(name, fallback).split(","))
                .map(String::trim)
                .map(v -> (int) positive(Map.of(name, v), name, 1))
                .toList();
    }

    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split(" ");
            return String.join(" ", Arrays.asList(fields).subList(0, 3));
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** CPU time and allocated bytes of every live Java thread, by id, with the simulated nodes' thread known. */
    private record ThreadCosts(Map<Long, long[]> byThread, long nodeThread) {
        static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        static ThreadCosts now() {
            long[] ids = THREADS.getAllThreadIds();
            long[] cpu = THREADS.getThreadCpuTime(ids);
            long[] allocated = THREADS.getThreadAllocatedBytes(ids);
            long nodeThread = -1;
            for (ThreadInfo info : THREADS.getThreadInfo(ids)) {
                if (info != null && info.getThreadName().equals(SimulatedNodesTransport.NODE_THREAD)) {
                    nodeThread = info.getThreadId();
                }
            }
            Map<Long, long[]> byThread = new HashMap<>();
            for (int i = 0; i < ids.length; i++) {
                if (cpu[i] >= 0 && allocated[i] >= 0) {
                    byThread.put(ids[i], new long[] {cpu[i], allocated[i]});
                }
            }
            return new ThreadCosts(byThread, nodeThread);
        }

        /** What each thread spent since {@code earlier}; a thread started since counts from zero. */
        Delta minus(ThreadCosts earlier) {
            long coordinatorCpu = 0;
            long coordinatorAllocated = 0;
            long nodeCpu = 0;
            for (Map.Entry<Long, long[]> e : byThread.entrySet()) {
                long[] then = earlier.byThread.getOrDefault(e.getKey(), new long[2]);
                long cpu = e.getValue()[0] - then[0];
                long allocated = e.getValue()[1] - then[1];
                if (e.getKey() == nodeThread) {
                    nodeCpu += cpu;
                } else {
                    coordinatorCpu += cpu;
                    coordinatorAllocated += allocated;
                }
            }
            return new Delta(coordinatorCpu, coordinatorAllocated, nodeCpu);
        }

        record Delta(long coordinatorCpuNanos, long coordinatorAllocatedBytes, long nodeCpuNanos) {}
    }
}
