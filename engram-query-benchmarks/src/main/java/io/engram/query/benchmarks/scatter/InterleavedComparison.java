package io.engram.query.benchmarks.scatter;

import static io.engram.query.benchmarks.CommandLineOptions.positive;

import io.engram.query.api.Query;
import io.engram.query.benchmarks.CommandLineOptions;
import io.engram.query.benchmarks.report.ResultsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@link BenchmarkScatterGather}'s comparison with both deployments in one process, taking turns: blocks of
 * {@code --block-ms} of local queries and of distributed queries alternate (which side goes first alternates too), so
 * a machine that gets busier or quieter during the run moves both sides alike. JMH measures each side in its own fork,
 * minutes apart, and on a shared machine that drift lands in the ratio; this program is the cross-check.
 *
 * <p>For each data set and each query (recall, spread, wide spread): {@code --warmup-s} of unmeasured alternation, then
 * {@code --measure-s}; it reports per side the mean, p50 and p99 of single queries, the ratio of the means, and the
 * median and range of the ratios of the block pairs. {@code --json FILE} writes the figures for the report generator.
 *
 * <p>Usage: {@code InterleavedComparison [--datasets light,heavy] [--warmup-s 6] [--measure-s 16] [--block-ms 250]
 * [--json FILE]}.
 */
public final class InterleavedComparison {
    private static final List<String> OPTIONS = List.of("datasets", "warmup-s", "measure-s", "block-ms", "json");

    private InterleavedComparison() {}

    public static void main(String[] args) throws Exception {
        run(args);
        // The nodes' non-daemon threads are gone, but JMH-style programs here exit explicitly.
        System.exit(0);
    }

    /** Runs the comparison and returns the figures {@code --json} writes. */
    static Map<String, Object> run(String[] args) throws java.io.IOException {
        Map<String, String> options = parse(args);
        List<Dataset> datasets = Arrays.stream(
                        options.getOrDefault("datasets", "light,heavy").split(","))
                .map(String::trim)
                .map(Dataset::parse)
                .toList();
        long warmupNanos = TimeUnit.SECONDS.toNanos(positive(options, "warmup-s", 6));
        long measureNanos = TimeUnit.SECONDS.toNanos(positive(options, "measure-s", 16));
        long blockNanos = TimeUnit.MILLISECONDS.toNanos(positive(options, "block-ms", 250));

        List<Map<String, Object>> results = new ArrayList<>();
        for (Dataset dataset : datasets) {
            try (Deployment local = Deployment.local(dataset, Map.of());
                    Deployment distributed = Deployment.distributed(dataset, Map.of())) {
                Map<String, Function<Deployment, Query>> queries = new LinkedHashMap<>();
                queries.put("recall", Deployment::recall);
                queries.put("spread", Deployment::spread);
                queries.put("spreadWide", Deployment::wideSpread);
                for (Map.Entry<String, Function<Deployment, Query>> query : queries.entrySet()) {
                    Map<String, Object> result =
                            compare(local, distributed, query.getValue(), warmupNanos, measureNanos, blockNanos);
                    result.put("dataset", dataset.name().toLowerCase(Locale.ROOT));
                    result.put("query", query.getKey());
                    results.add(result);
                    System.out.printf(
                            Locale.ROOT,
                            "%-5s %-10s local mean %.3f ms, distributed mean %.3f ms, ratio %.2fx (block pairs: median"
                                    + " %.2fx, %.2fx to %.2fx, %d pairs)%n",
                            result.get("dataset"),
                            query.getKey(),
                            sideOf(result, "local").get("mean_ms"),
                            sideOf(result, "distributed").get("mean_ms"),
                            result.get("ratio"),
                            result.get("block_ratio_median"),
                            result.get("block_ratio_min"),
                            result.get("block_ratio_max"),
                            result.get("block_pairs"));
                }
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("warmup_s", warmupNanos / 1e9);
        report.put("measure_s", measureNanos / 1e9);
        report.put("block_ms", blockNanos / 1e6);
        report.put("comparisons", results);
        if (options.containsKey("json")) {
            ResultsFile.write(Path.of(options.get("json")), report);
        }
        return report;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sideOf(Map<String, Object> result, String side) {
        return (Map<String, Object>) result.get(side);
    }

    private static Map<String, Object> compare(
            Deployment local,
            Deployment distributed,
            Function<Deployment, Query> query,
            long warmupNanos,
            long measureNanos,
            long blockNanos) {
        Query localQuery = query.apply(local);
        Query distributedQuery = query.apply(distributed);
        alternate(local, localQuery, distributed, distributedQuery, warmupNanos, blockNanos);
        Samples localSamples = new Samples();
        Samples distributedSamples = new Samples();
        List<Double> blockRatios = new ArrayList<>();
        long end = System.nanoTime() + measureNanos;
        boolean localFirst = true;
        while (System.nanoTime() < end) {
            double localMean;
            double distributedMean;
            if (localFirst) {
                localMean = block(local, localQuery, blockNanos, localSamples);
                distributedMean = block(distributed, distributedQuery, blockNanos, distributedSamples);
            } else {
                distributedMean = block(distributed, distributedQuery, blockNanos, distributedSamples);
                localMean = block(local, localQuery, blockNanos, localSamples);
            }
            blockRatios.add(distributedMean / localMean);
            localFirst = !localFirst;
        }
        double[] ratios =
                blockRatios.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("local", localSamples.summary());
        result.put("distributed", distributedSamples.summary());
        result.put("ratio", distributedSamples.mean() / localSamples.mean());
        result.put("block_pairs", ratios.length);
        result.put("block_ratio_median", ratios[ratios.length / 2]);
        result.put("block_ratio_min", ratios[0]);
        result.put("block_ratio_max", ratios[ratios.length - 1]);
        return result;
    }

    private static void alternate(Deployment a, Query qa, Deployment b, Query qb, long nanos, long blockNanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            block(a, qa, blockNanos, new Samples());
            block(b, qb, blockNanos, new Samples());
        }
    }

    /** Runs {@code query} one at a time for {@code nanos}; returns the block's mean in ms. */
    private static double block(Deployment deployment, Query query, long nanos, Samples samples) {
        long end = System.nanoTime() + nanos;
        double sum = 0;
        int count = 0;
        do {
            long start = System.nanoTime();
            deployment.answerInFull(query);
            long took = System.nanoTime() - start;
            samples.add(took);
            sum += took / 1e6;
            count++;
        } while (System.nanoTime() < end);
        return sum / count;
    }

    private static Map<String, String> parse(String[] args) {
        return CommandLineOptions.parse(
                args,
                OPTIONS,
                "InterleavedComparison [--datasets light,heavy] [--warmup-s N]"
                        + " [--measure-s N] [--block-ms N] [--json FILE]");
    }

    /** Latencies of single queries, in ns. */
    static final class Samples {
        private long[] values = new long[1024];
        private int size;

        void add(long nanos) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = nanos;
        }

        double mean() {
            double sum = 0;
            for (int i = 0; i < size; i++) {
                sum += values[i];
            }
            return sum / size / 1e6;
        }

        Map<String, Object> summary() {
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("queries", size);
            summary.put("mean_ms", mean());
            summary.put("p50_ms", sorted[size / 2] / 1e6);
            summary.put("p99_ms", sorted[Math.min(size - 1, (int) (size * 0.99))] / 1e6);
            return summary;
        }
    }
}
