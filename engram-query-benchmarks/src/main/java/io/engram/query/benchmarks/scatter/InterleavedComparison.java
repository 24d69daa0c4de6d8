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
 * <p>With several {@code --transports}, one distributed deployment per transport ({@code transport.type}) runs beside
 * the one local deployment, and the blocks rotate over all of them, so the transports are compared on the same
 * machine minutes as the local side.
 *
 * <p>For each data set and each query (recall, spread, wide spread): {@code --warmup-s} of unmeasured alternation, then
 * {@code --measure-s}; it reports per side the mean, p50 and p99 of single queries, the ratio of the means, and the
 * median and range of the ratios of the block pairs (a transport's block against the local block of the same round).
 * {@code --json FILE} writes the figures for the report generator.
 *
 * <p>Usage: {@code InterleavedComparison [--datasets light,heavy] [--transports tcp,http] [--warmup-s 6]
 * [--measure-s 16] [--block-ms 250] [--json FILE]}.
 */
public final class InterleavedComparison {
    private static final List<String> OPTIONS =
            List.of("datasets", "transports", "warmup-s", "measure-s", "block-ms", "json");

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

        List<String> transports = Arrays.stream(
                        options.getOrDefault("transports", String.join(",", Deployment.TRANSPORTS))
                                .split(","))
                .map(String::trim)
                .toList();
        for (String transport : transports) {
            if (!Deployment.TRANSPORTS.contains(transport)) {
                throw new IllegalArgumentException(
                        "--transports must name some of " + Deployment.TRANSPORTS + ", got '" + transport + "'");
            }
        }

        List<Map<String, Object>> results = new ArrayList<>();
        for (Dataset dataset : datasets) {
            List<Deployment> distributed = new ArrayList<>();
            try (Deployment local = Deployment.local(dataset)) {
                for (String transport : transports) {
                    distributed.add(Deployment.distributed(dataset, transport));
                }
                Map<String, Function<Deployment, Query>> queries = new LinkedHashMap<>();
                queries.put("recall", Deployment::recall);
                queries.put("spread", Deployment::spread);
                queries.put("spreadWide", Deployment::wideSpread);
                for (Map.Entry<String, Function<Deployment, Query>> query : queries.entrySet()) {
                    for (Map<String, Object> result :
                            compare(local, distributed, query.getValue(), warmupNanos, measureNanos, blockNanos)) {
                        result.put("dataset", dataset.name().toLowerCase(Locale.ROOT));
                        result.put("query", query.getKey());
                        results.add(result);
                        System.out.printf(
                                Locale.ROOT,
                                "%-5s %-10s %-4s local mean %.3f ms, distributed mean %.3f ms, ratio %.2fx (block"
                                        + " pairs: median %.2fx, %.2fx to %.2fx, %d pairs)%n",
                                result.get("dataset"),
                                query.getKey(),
                                result.get("transport"),
                                sideOf(result, "local").get("mean_ms"),
                                sideOf(result, "distributed").get("mean_ms"),
                                result.get("ratio"),
                                result.get("block_ratio_median"),
                                result.get("block_ratio_min"),
                                result.get("block_ratio_max"),
                                result.get("block_pairs"));
                    }
                }
            } finally {
                distributed.forEach(Deployment::close);
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("warmup_s", warmupNanos / 1e9);
        report.put("measure_s", measureNanos / 1e9);
        report.put("block_ms", blockNanos / 1e6);
        report.put("transports", transports);
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

    /**
     * One local side and one distributed side per transport, in rounds of one block each; the order rotates every
     * round, so each side goes first, in the middle and last alike. Each transport's block ratio is against the local
     * block of the same round.
     */
    private static List<Map<String, Object>> compare(
            Deployment local,
            List<Deployment> distributed,
            Function<Deployment, Query> query,
            long warmupNanos,
            long measureNanos,
            long blockNanos) {
        List<Deployment> sides = new ArrayList<>();
        sides.add(local);
        sides.addAll(distributed);
        List<Query> queries = sides.stream().map(query).toList();
        long warmupEnd = System.nanoTime() + warmupNanos;
        while (System.nanoTime() < warmupEnd) {
            for (int i = 0; i < sides.size(); i++) {
                block(sides.get(i), queries.get(i), blockNanos, new Samples());
            }
        }
        List<Samples> samples = new ArrayList<>();
        List<List<Double>> blockRatios = new ArrayList<>();
        for (int i = 0; i < sides.size(); i++) {
            samples.add(new Samples());
            blockRatios.add(new ArrayList<>());
        }
        double[] means = new double[sides.size()];
        long end = System.nanoTime() + measureNanos;
        for (int round = 0; System.nanoTime() < end; round++) {
            for (int k = 0; k < sides.size(); k++) {
                int i = (round + k) % sides.size();
                means[i] = block(sides.get(i), queries.get(i), blockNanos, samples.get(i));
            }
            for (int i = 1; i < sides.size(); i++) {
                blockRatios.get(i).add(means[i] / means[0]);
            }
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = 1; i < sides.size(); i++) {
            double[] ratios = blockRatios.get(i).stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("transport", sides.get(i).transport());
            result.put("local", samples.get(0).summary());
            result.put("distributed", samples.get(i).summary());
            result.put("ratio", samples.get(i).mean() / samples.get(0).mean());
            result.put("block_pairs", ratios.length);
            result.put("block_ratio_median", ratios[ratios.length / 2]);
            result.put("block_ratio_min", ratios[0]);
            result.put("block_ratio_max", ratios[ratios.length - 1]);
            results.add(result);
        }
        return results;
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
                "InterleavedComparison [--datasets light,heavy] [--transports tcp,http] [--warmup-s N]"
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
