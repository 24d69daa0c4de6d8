package io.engram.query.benchmarks.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.engram.query.api.NodeId;
import io.engram.query.api.PlanStrategy;
import io.engram.query.executor.metrics.BucketedTimer;
import io.engram.query.executor.metrics.Buckets;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.scatter.ScatterPhase;
import io.engram.query.transport.http.metrics.PrometheusTextRenderer;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code /metrics} costs with the library the node ships (simpleclient 0.16 with {@code simpleclient_hotspot},
 * our {@link BucketedTimer} counting into fixed buckets beside the Dropwizard reservoir that hedging reads) against the
 * current Prometheus Java client (1.10: {@code prometheus-metrics-core} histograms, {@code
 * prometheus-metrics-instrumentation-jvm}, {@code prometheus-metrics-exposition-textformats}), in one run:
 *
 * <ul>
 *   <li>{@code record*}: one latency observation. The 1.x rows keep a plain Dropwizard {@link Timer} beside the 1.x
 *       histogram, because its reservoir (the percentiles of the adaptive hedge delay and the blame rule) is needed
 *       either way; {@code recordClientClassicAndNative} is the 1.x default histogram, classic buckets plus a native
 *       histogram.
 *   <li>{@code scrape*}: one {@code /metrics} answer as bytes, for a node with three peers: the same engram families
 *       (four histogram families, eleven series with buckets, the counters and gauges) plus each library's JVM and
 *       process collectors.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class BenchmarkMetricsExposition {
    private static final List<String> PEERS = List.of("n1", "n2", "n3");
    private static final int SAMPLES = 4096;

    private final long[] nanos = new long[SAMPLES];
    private final double[] seconds = new double[SAMPLES];
    private int next;

    private BucketedTimer bucketedTimer;
    private Timer plainTimer;
    private Histogram classicHistogram;
    private Histogram classicAndNativeHistogram;

    private PrometheusTextRenderer ours;
    private PrometheusRegistry clientRegistry;
    private PrometheusTextFormatWriter clientWriter;

    @Setup
    public void setUp() throws IOException {
        // log-uniform between 50 µs and 50 ms, the range a partition call and a client query span here
        SplittableRandom random = new SplittableRandom(19);
        for (int i = 0; i < SAMPLES; i++) {
            double s = 50e-6 * Math.pow(1000, random.nextDouble());
            seconds[i] = s;
            nanos[i] = (long) (s * 1e9);
        }
        Buckets latency = Buckets.latencyUpTo(QueryMetrics.DEFAULT_LONGEST_DEADLINE);
        double[] bounds =
                latency.upperBounds().stream().mapToDouble(Double::doubleValue).toArray();
        bucketedTimer = new BucketedTimer(latency);
        plainTimer = new Timer();
        classicHistogram = Histogram.builder()
                .name("classic_seconds")
                .help("classic only")
                .classicUpperBounds(bounds)
                .classicOnly()
                .withoutExemplars()
                .build();
        classicAndNativeHistogram = Histogram.builder()
                .name("classic_and_native_seconds")
                .help("the 1.x default: classic and native")
                .classicUpperBounds(bounds)
                .withoutExemplars()
                .build();

        MetricRegistry registry = new MetricRegistry();
        QueryMetrics metrics = new QueryMetrics(registry);
        clientRegistry = new PrometheusRegistry();
        ClientFamilies client = new ClientFamilies(clientRegistry, bounds);
        for (String peer : PEERS) {
            metrics.peer(NodeId.of(peer));
            metrics.breakerState(NodeId.of(peer), () -> 0);
        }
        for (int i = 0; i < 1000; i++) {
            PlanStrategy strategy = PlanStrategy.values()[i % PlanStrategy.values().length];
            String peer = PEERS.get(i % PEERS.size());
            metrics.scatterStarted(ScatterPhase.QUERY);
            metrics.queryStarted(strategy, 1 + i % 8);
            metrics.partitionRequest();
            metrics.partitionAnswered(NodeId.of(peer), Duration.ofNanos(nanos[i]));
            metrics.queryFinished(strategy, Duration.ofNanos(nanos[i] * 2));
            client.record(strategy, peer, 1 + i % 8, seconds[i]);
        }
        ours = new PrometheusTextRenderer(registry);
        JvmMetrics.builder().register(clientRegistry);
        clientWriter = PrometheusTextFormatWriter.create();
        System.out.printf(
                "%nbytes per scrape: simpleclient 0.16 %d, client 1.10 %d%n",
                scrapeSimpleclient().length, scrapeClient().length);
    }

    private int nextIndex() {
        int i = next;
        next = (i + 1) & (SAMPLES - 1);
        return i;
    }

    @Benchmark
    public void recordBucketedTimer() {
        bucketedTimer.update(nanos[nextIndex()], TimeUnit.NANOSECONDS);
    }

    @Benchmark
    public void recordDropwizardTimerOnly() {
        plainTimer.update(nanos[nextIndex()], TimeUnit.NANOSECONDS);
    }

    @Benchmark
    public void recordDropwizardTimerAndClientClassic() {
        int i = nextIndex();
        plainTimer.update(nanos[i], TimeUnit.NANOSECONDS);
        classicHistogram.observe(seconds[i]);
    }

    @Benchmark
    public void recordDropwizardTimerAndClientClassicAndNative() {
        int i = nextIndex();
        plainTimer.update(nanos[i], TimeUnit.NANOSECONDS);
        classicAndNativeHistogram.observe(seconds[i]);
    }

    @Benchmark
    public byte[] scrapeSimpleclient() {
        return ours.render().getBytes(UTF_8);
    }

    @Benchmark
    public byte[] scrapeClient() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
        clientWriter.write(out, clientRegistry.scrape());
        return out.toByteArray();
    }

    /** The engram families as the 1.x client would hold them: the same names, labels and buckets. */
    private static final class ClientFamilies {
        private final Histogram latency;
        private final Histogram scatter;
        private final Histogram partitionLatency;
        private final Counter scatters;
        private final Counter partitionRequests;

        ClientFamilies(PrometheusRegistry registry, double[] latencyBounds) {
            latency = Histogram.builder()
                    .name("engram_query_latency_seconds")
                    .help("Seconds from planning a client query to its answer")
                    .labelNames("strategy")
                    .classicUpperBounds(latencyBounds)
                    .classicOnly()
                    .withoutExemplars()
                    .register(registry);
            partitionLatency = Histogram.builder()
                    .name("engram_query_partition_latency_seconds")
                    .help("Seconds a peer took to answer a partition call, by peer")
                    .labelNames("peer")
                    .classicUpperBounds(latencyBounds)
                    .classicOnly()
                    .withoutExemplars()
                    .register(registry);
            scatter = Histogram.builder()
                    .name("engram_query_scatter")
                    .help("Partitions each client query was planned to ask")
                    .labelNames("strategy")
                    .classicExponentialUpperBounds(1, 2, 11)
                    .classicOnly()
                    .withoutExemplars()
                    .register(registry);
            Histogram.builder()
                    .name("engram_query_spread_rounds")
                    .help("Rounds each distributed spread ran")
                    .classicExponentialUpperBounds(1, 2, 7)
                    .classicOnly()
                    .withoutExemplars()
                    .register(registry);
            Histogram.builder()
                    .name("engram_query_spread_frontier")
                    .help("Activations carried into the next round after each spread round")
                    .classicExponentialUpperBounds(1, 2, 17)
                    .classicOnly()
                    .withoutExemplars()
                    .register(registry);
            scatters = Counter.builder()
                    .name("engram_query_scatters")
                    .help("Scatter-gather executions, by phase")
                    .labelNames("phase")
                    .register(registry);
            partitionRequests = Counter.builder()
                    .name("engram_query_partition_requests")
                    .help("Partition calls started by this coordinator")
                    .register(registry);
            for (PlanStrategy strategy : PlanStrategy.values()) {
                latency.initLabelValues(QueryMetrics.label(strategy));
                scatter.initLabelValues(QueryMetrics.label(strategy));
            }
            for (ScatterPhase phase : ScatterPhase.values()) {
                scatters.initLabelValues(phase.label());
            }
            Gauge breaker = Gauge.builder()
                    .name("engram_query_circuit_breaker_state")
                    .help("The circuit breaker of a peer")
                    .labelNames("peer")
                    .register(registry);
            for (String peer : PEERS) {
                partitionLatency.initLabelValues(peer);
                breaker.labelValues(peer).set(0);
            }
            // the unlabelled and labelled counters QueryMetrics registers besides, so both sides write as many series
            for (String name : List.of(
                    "partial_timeouts",
                    "missing_partitions",
                    "retries",
                    "failovers",
                    "hedges_sent",
                    "hedges_won",
                    "node_requests",
                    "cancelled",
                    "partition_cancelled")) {
                Counter.builder()
                        .name("engram_query_" + name)
                        .help(name.replace('_', ' '))
                        .register(registry);
            }
            for (String[] labelled : new String[][] {
                {"overloaded", "scope", "query", "partition"},
                {"calls_cut_short", "blamed", "true", "false"},
                {"failed", "reason", "consistency", "internal"}
            }) {
                Counter counter = Counter.builder()
                        .name("engram_query_" + labelled[0])
                        .help(labelled[0].replace('_', ' '))
                        .labelNames(labelled[1])
                        .register(registry);
                counter.initLabelValues(labelled[2]);
                counter.initLabelValues(labelled[3]);
            }
            Gauge.builder()
                    .name("engram_query_in_flight")
                    .help("Client queries this node coordinates right now")
                    .register(registry);
            Gauge.builder()
                    .name("engram_query_build_info")
                    .help("Always 1")
                    .labelNames("version")
                    .register(registry)
                    .labelValues("0.1.0-SNAPSHOT")
                    .set(1);
        }

        void record(PlanStrategy strategy, String peer, int fanout, double seconds) {
            scatters.labelValues(ScatterPhase.QUERY.label()).inc();
            scatter.labelValues(QueryMetrics.label(strategy)).observe(fanout);
            partitionRequests.inc();
            partitionLatency.labelValues(peer).observe(seconds);
            latency.labelValues(QueryMetrics.label(strategy)).observe(seconds * 2);
        }
    }
}
