package io.engram.query.benchmarks.executor;

import io.engram.query.benchmarks.report.ResultsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Tail-at-Scale reproduction as a plain program: for hedging off and at p95, runs {@code --queries} queries of
 * fan-out {@code --fanout} in {@link TailAtScaleCluster} ({@code --concurrency} at a time, after {@code --warmup}
 * unmeasured ones) and reports the share of queries slower than the straggler delay, p50/p99/p99.9, and the extra
 * requests hedging sent. {@code --json FILE} also writes the figures for the report generator.
 *
 * <p>The paper's predictions for fan-out 100 and 1% stragglers: 1 − 0.99^100 ≈ 63% of queries are slow without
 * hedging; hedging costs ≈ 2% extra requests in BigTable after 10 ms, ≈ 5% when hedging at p95.
 */
public final class TailAtScale {
    private TailAtScale() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        int queries = Integer.parseInt(options.getOrDefault("queries", "1000"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "200"));
        int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "1"));
        int fanout = Integer.parseInt(options.getOrDefault("fanout", "100"));
        List<Map<String, Object>> modes = new ArrayList<>();
        for (String hedge : List.of("off", "p95", "10ms")) {
            modes.add(run(fanout, hedge, warmup, queries, concurrency));
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("fanout", fanout);
        report.put("queries", queries);
        report.put("warmup_queries", warmup);
        report.put("concurrency", concurrency);
        report.put("base_ms", TailAtScaleCluster.BASE.toNanos() / 1e6);
        report.put("jitter_ms", TailAtScaleCluster.JITTER.toNanos() / 1e6);
        report.put("straggler_probability", TailAtScaleCluster.STRAGGLER_PROBABILITY);
        report.put("straggler_ms", TailAtScaleCluster.STRAGGLER_DELAY.toNanos() / 1e6);
        report.put(
                "predicted_slow_share_without_hedging",
                1 - Math.pow(1 - TailAtScaleCluster.STRAGGLER_PROBABILITY, fanout));
        report.put("modes", modes);
        for (Map<String, Object> mode : modes) {
            System.out.printf(
                    Locale.ROOT,
                    "hedge %-4s: slow (> %.0f ms) %.1f%%, mean %.2f ms, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, extra requests %.2f%% (observed partition p95 %.2f ms)%n",
                    mode.get("hedge"),
                    TailAtScaleCluster.STRAGGLER_DELAY.toNanos() / 1e6,
                    100 * (double) mode.get("slow_share"),
                    mode.get("mean_ms"),
                    mode.get("p50_ms"),
                    mode.get("p99_ms"),
                    mode.get("p999_ms"),
                    100 * (double) mode.get("extra_request_share"),
                    mode.get("observed_p95_partition_latency_ms"));
        }
        if (options.containsKey("json")) {
            ResultsFile.write(Path.of(options.get("json")), report);
        }
        System.exit(0);
    }

    private static Map<String, Object> run(int fanout, String hedge, int warmup, int queries, int concurrency)
            throws InterruptedException {
        try (TailAtScaleCluster cluster = new TailAtScaleCluster(fanout, hedge)) {
            measure(cluster, warmup, concurrency);
            long requestsBefore = cluster.partitionRequests();
            long hedgesBefore = cluster.hedges();
            long[] latencies = measure(cluster, queries, concurrency);
            long hedges = cluster.hedges() - hedgesBefore;
            long requests = cluster.partitionRequests() - requestsBefore;
            Arrays.sort(latencies);
            long stragglerNanos = TailAtScaleCluster.STRAGGLER_DELAY.toNanos();
            long slow = Arrays.stream(latencies).filter(l -> l > stragglerNanos).count();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("hedge", hedge);
            out.put("slow_share", slow / (double) queries);
            out.put("mean_ms", Arrays.stream(latencies).average().orElse(0) / 1e6);
            out.put("p50_ms", percentile(latencies, 0.50));
            out.put("p99_ms", percentile(latencies, 0.99));
            out.put("p999_ms", percentile(latencies, 0.999));
            out.put("max_ms", latencies[latencies.length - 1] / 1e6);
            out.put("observed_p95_partition_latency_ms", cluster.meanObservedP95Millis());
            out.put("partition_requests", requests);
            out.put("hedges", hedges);
            out.put("extra_request_share", requests == hedges ? 0.0 : hedges / (double) (requests - hedges));
            return out;
        }
    }

    /** Runs {@code count} queries, {@code concurrency} at a time; returns each one's latency in nanoseconds. */
    private static long[] measure(TailAtScaleCluster cluster, int count, int concurrency) throws InterruptedException {
        long[] latencies = new long[count];
        Semaphore slots = new Semaphore(concurrency);
        AtomicInteger failures = new AtomicInteger();
        for (int i = 0; i < count; i++) {
            slots.acquire();
            int index = i;
            long start = System.nanoTime();
            cluster.service().execute(cluster.query()).whenComplete((result, failure) -> {
                latencies[index] = System.nanoTime() - start;
                if (failure != null || !result.coverage().isComplete()) {
                    failures.incrementAndGet();
                }
                slots.release();
            });
        }
        if (!slots.tryAcquire(concurrency, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("queries did not finish within 60 s");
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " of " + count + " queries failed or were partial");
        }
        return latencies;
    }

    private static double percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        "usage: TailAtScale [--queries N] [--warmup N] [--concurrency N] [--fanout N] [--json FILE], got '"
                                + args[i] + "'");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }
}
