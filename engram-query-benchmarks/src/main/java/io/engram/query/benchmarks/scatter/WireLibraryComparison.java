package io.engram.query.benchmarks.scatter;

import static io.engram.query.benchmarks.CommandLineOptions.positive;

import io.engram.query.benchmarks.CommandLineOptions;
import io.engram.query.benchmarks.report.ResultsFile;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Issue 20's measurement before choosing the library of the binary node-to-node transport: the bare exchanges of one
 * distributed one-seed spread ({@link Dataset#spreadCallsPerRound()}, light: 4, 3 and 2 calls in three rounds, 200
 * bytes out and 64 back) over plain blocking sockets (the floor), Netty 4.2, grpc-java (its defaults, and with fixed
 * HTTP/2 windows instead of BDP pings) and Jetty HTTP/1.1, all in this JVM, taking turns in blocks of
 * {@code --block-ms} (the order rotates every cycle), so that a shared machine's drift moves them alike.
 *
 * <p>After {@code --warmup-s} of unmeasured turns it measures for {@code --measure-s} and reports per wire, per spread's
 * worth of exchanges: the mean, p50 and p99 latency; the process's CPU time over the wire's blocks divided by the
 * exchanges (every thread of the JVM: client, servers, JIT and GC; on 2 cores CPU is the cost that counts); the bytes
 * allocated per exchange by all threads; the ratios to the socket floor, of the means and of the cycles' blocks; and
 * the share of the machine's CPU time its hypervisor stole during the wire's blocks ({@code /proc/stat}), since a busy
 * host slows a virtual machine's every wire without any process seeing it.
 *
 * <p>Usage: {@code WireLibraryComparison [--dataset light] [--wires sockets,netty,grpc,grpc-fixed-window,jetty]
 * [--client-loops 1] [--warmup-s 30] [--measure-s 60] [--block-ms 250] [--json FILE]}.
 */
public final class WireLibraryComparison {
    private static final List<String> OPTIONS =
            List.of("dataset", "wires", "client-loops", "warmup-s", "measure-s", "block-ms", "json");
    private static final String USAGE =
            "WireLibraryComparison [--dataset light] [--wires sockets,netty,grpc,grpc-fixed-window,jetty]"
                    + " [--client-loops N] [--warmup-s N] [--measure-s N] [--block-ms N] [--json FILE]";
    private static final String FLOOR = "sockets";

    private WireLibraryComparison() {}

    public static void main(String[] args) throws Exception {
        run(args);
        System.exit(0);
    }

    /** The wires by name; {@code clientLoops} is the client's event loops for Netty and grpc. */
    static Map<String, Function<int[], LoopbackRounds>> wires(int clientLoops) {
        Map<String, Function<int[], LoopbackRounds>> wires = new LinkedHashMap<>();
        wires.put(FLOOR, LoopbackSockets::new);
        wires.put("netty", shape -> new LoopbackNetty(shape, clientLoops));
        wires.put("grpc", shape -> new LoopbackGrpc(shape, clientLoops, true));
        wires.put("grpc-fixed-window", shape -> new LoopbackGrpc(shape, clientLoops, false));
        wires.put("jetty", LoopbackExchanges::new);
        return wires;
    }

    /** Runs the comparison and returns the figures {@code --json} writes. */
    static Map<String, Object> run(String[] args) throws IOException {
        Map<String, String> options = CommandLineOptions.parse(args, OPTIONS, USAGE);
        Dataset dataset = Dataset.parse(options.getOrDefault("dataset", "light"));
        int clientLoops = (int) positive(options, "client-loops", 1);
        Map<String, Function<int[], LoopbackRounds>> known = wires(clientLoops);
        List<String> names = Arrays.stream(options.getOrDefault("wires", String.join(",", known.keySet()))
                        .split(","))
                .map(String::trim)
                .toList();
        for (String name : names) {
            if (!known.containsKey(name)) {
                throw new IllegalArgumentException("unknown wire '" + name + "'; known: " + known.keySet());
            }
        }
        long warmupNanos = TimeUnit.SECONDS.toNanos(positive(options, "warmup-s", 30));
        long measureNanos = TimeUnit.SECONDS.toNanos(positive(options, "measure-s", 60));
        long blockNanos = TimeUnit.MILLISECONDS.toNanos(positive(options, "block-ms", 250));

        int[] shape = dataset.spreadCallsPerRound();
        Map<String, LoopbackRounds> started = new LinkedHashMap<>();
        Map<String, Object> report = new LinkedHashMap<>();
        try {
            for (String name : names) {
                started.put(name, known.get(name).apply(shape));
            }
            report.put("dataset", dataset.name().toLowerCase(Locale.ROOT));
            report.put("calls_per_round", shape);
            report.put("netty_io", LoopbackNetty.io());
            report.put("client_loops", clientLoops);
            report.put("warmup_s", warmupNanos / 1e9);
            report.put("measure_s", measureNanos / 1e9);
            report.put("block_ms", blockNanos / 1e6);
            report.put("wires", compare(started, shape, warmupNanos, measureNanos, blockNanos));
        } finally {
            started.values().forEach(LoopbackRounds::close);
        }
        print(report);
        if (options.containsKey("json")) {
            ResultsFile.write(Path.of(options.get("json")), report);
        }
        return report;
    }

    /**
     * Takes turns between {@code wires} ({@code warmupNanos} unmeasured, then {@code measureNanos}) and returns the
     * figures per wire, by name; fails if a spread's worth of exchanges does not bring back every answer in full.
     */
    static Map<String, Map<String, Object>> compare(
            Map<String, LoopbackRounds> wires, int[] shape, long warmupNanos, long measureNanos, long blockNanos) {
        int exchanges = Arrays.stream(shape).sum();
        long expected = (long) exchanges * LoopbackExchanges.ANSWER_BYTES;
        List<String> names = List.copyOf(wires.keySet());
        Map<String, Side> sides = new LinkedHashMap<>();
        names.forEach(name -> sides.put(name, new Side()));
        CostMeter meter = new CostMeter();

        long warmupEnd = System.nanoTime() + warmupNanos;
        for (int cycle = 0; System.nanoTime() < warmupEnd; cycle++) {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get((cycle + i) % names.size());
                block(wires.get(name), expected, blockNanos, new Side(), meter);
            }
        }
        long end = System.nanoTime() + measureNanos;
        int cycles = 0;
        for (int cycle = 0; cycle == 0 || System.nanoTime() < end; cycle++) {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get((cycle + i) % names.size());
                block(wires.get(name), expected, blockNanos, sides.get(name), meter);
            }
            cycles++;
        }

        Side floor = sides.get(FLOOR);
        Map<String, Map<String, Object>> figures = new LinkedHashMap<>();
        for (String name : names) {
            Side side = sides.get(name);
            Map<String, Object> summary = new LinkedHashMap<>(side.samples.summary());
            summary.put("spreads", summary.remove("queries"));
            summary.put("exchanges_per_spread", exchanges);
            double spreads = side.spreads;
            summary.put("cpu_us_per_spread", side.cpuNanos / spreads / 1e3);
            summary.put("cpu_us_per_exchange", side.cpuNanos / spreads / exchanges / 1e3);
            summary.put("alloc_bytes_per_exchange", side.allocatedBytes / spreads / exchanges);
            if (side.machineTicks > 0) {
                summary.put("machine_steal_share", side.stolenTicks / (double) side.machineTicks);
            }
            if (floor != null) {
                summary.put("mean_vs_floor", side.samples.mean() / floor.samples.mean());
                summary.put("cpu_vs_floor", (side.cpuNanos / spreads) / (floor.cpuNanos / (double) floor.spreads));
                double[] ratios = new double[cycles];
                for (int c = 0; c < cycles; c++) {
                    ratios[c] = side.blockMeans.get(c) / floor.blockMeans.get(c);
                }
                Arrays.sort(ratios);
                summary.put("block_ratio_vs_floor_median", ratios[ratios.length / 2]);
                summary.put("block_ratio_vs_floor_min", ratios[0]);
                summary.put("block_ratio_vs_floor_max", ratios[ratios.length - 1]);
            }
            figures.put(name, summary);
        }
        return figures;
    }

    /** Runs spreads' worth of exchanges on {@code wire} for {@code nanos}, adding their latency and cost to side. */
    private static void block(LoopbackRounds wire, long expected, long nanos, Side side, CostMeter meter) {
        meter.start();
        long start = System.nanoTime();
        long end = start + nanos;
        long sum = 0;
        int count = 0;
        long now = start;
        do {
            long received = wire.runRounds();
            long after = System.nanoTime();
            if (received != expected) {
                throw new IllegalStateException("expected " + expected + " answer bytes per spread, got " + received);
            }
            side.samples.add(after - now);
            sum += after - now;
            count++;
            now = after;
        } while (now < end);
        side.cpuNanos += meter.cpuNanos();
        side.allocatedBytes += meter.allocatedBytes();
        long[] ticks = meter.machineTicks();
        side.stolenTicks += ticks[0];
        side.machineTicks += ticks[1];
        side.spreads += count;
        side.blockMeans.add(sum / (double) count);
    }

    @SuppressWarnings("unchecked")
    private static void print(Map<String, Object> report) {
        System.out.printf(
                Locale.ROOT,
                "%s spread, calls per round %s, netty io %s, client loops %s, %.0f s warm-up, %.0f s measured,"
                        + " blocks of %.0f ms%n",
                report.get("dataset"),
                Arrays.toString((int[]) report.get("calls_per_round")),
                report.get("netty_io"),
                report.get("client_loops"),
                report.get("warmup_s"),
                report.get("measure_s"),
                report.get("block_ms"));
        System.out.printf(
                Locale.ROOT,
                "%-17s %8s %9s %9s %9s %12s %12s %10s %11s %10s %7s%n",
                "wire",
                "spreads",
                "mean ms",
                "p50 ms",
                "p99 ms",
                "mean/floor",
                "blocks/floor",
                "CPU us/ex",
                "CPU/floor",
                "alloc B/ex",
                "steal");
        Map<String, Map<String, Object>> wires = (Map<String, Map<String, Object>>) report.get("wires");
        for (Map.Entry<String, Map<String, Object>> wire : wires.entrySet()) {
            Map<String, Object> f = wire.getValue();
            System.out.printf(
                    Locale.ROOT,
                    "%-17s %8d %9.3f %9.3f %9.3f %12s %12s %10.1f %11s %10.0f %6.0f%%%n",
                    wire.getKey(),
                    f.get("spreads"),
                    f.get("mean_ms"),
                    f.get("p50_ms"),
                    f.get("p99_ms"),
                    ratio(f.get("mean_vs_floor")),
                    ratio(f.get("block_ratio_vs_floor_median")),
                    f.get("cpu_us_per_exchange"),
                    ratio(f.get("cpu_vs_floor")),
                    f.get("alloc_bytes_per_exchange"),
                    100 * (Double) f.getOrDefault("machine_steal_share", 0.0));
        }
    }

    private static String ratio(Object value) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.2fx", (Double) value);
    }

    /** What one wire's measured blocks added up to. */
    private static final class Side {
        final InterleavedComparison.Samples samples = new InterleavedComparison.Samples();
        final List<Double> blockMeans = new ArrayList<>();
        long cpuNanos;
        long allocatedBytes;
        long spreads;
        long stolenTicks;
        long machineTicks;
    }

    /**
     * The process's CPU time and every thread's allocated bytes since {@link #start()}. A thread that ends during a
     * block takes its bytes with it; after warm-up the wires' threads live as long as the run.
     */
    private static final class CostMeter {
        private final com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        private final Map<Long, Long> allocatedAtStart = new HashMap<>();
        private long cpuAtStart;
        private long[] machineAtStart;

        void start() {
            allocatedAtStart.clear();
            long[] ids = threads.getAllThreadIds();
            long[] bytes = threads.getThreadAllocatedBytes(ids);
            for (int i = 0; i < ids.length; i++) {
                allocatedAtStart.put(ids[i], bytes[i]);
            }
            cpuAtStart = os.getProcessCpuTime();
            machineAtStart = machine();
        }

        /**
         * The ticks the hypervisor stole from this machine's CPUs since {@link #start()} and all its ticks, both 0
         * where {@code /proc/stat} can not be read: a virtual machine whose host is busy loses time no process sees.
         */
        long[] machineTicks() {
            long[] now = machine();
            return new long[] {now[0] - machineAtStart[0], now[1] - machineAtStart[1]};
        }

        private static long[] machine() {
            try (BufferedReader stat = Files.newBufferedReader(Path.of("/proc/stat"))) {
                String[] fields = stat.readLine().trim().split("\\s+");
                long all = 0;
                // cpu user nice system idle iowait irq softirq steal (guest time is counted in user already)
                for (int i = 1; i <= 8; i++) {
                    all += Long.parseLong(fields[i]);
                }
                return new long[] {Long.parseLong(fields[8]), all};
            } catch (IOException | RuntimeException e) {
                return new long[] {0, 0};
            }
        }

        long cpuNanos() {
            return os.getProcessCpuTime() - cpuAtStart;
        }

        long allocatedBytes() {
            long[] ids = threads.getAllThreadIds();
            long[] bytes = threads.getThreadAllocatedBytes(ids);
            long sum = 0;
            for (int i = 0; i < ids.length; i++) {
                if (bytes[i] >= 0) {
                    sum += bytes[i] - allocatedAtStart.getOrDefault(ids[i], 0L);
                }
            }
            return sum;
        }
    }
}
