package io.engram.query.transport.http.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.query.api.Confidence;
import io.engram.query.api.Cue;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.RecallQuery;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.transport.http.metrics.PrometheusTools;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (the {@code prometheus} binary of the Debian package, which {@code .ci/run} puts on PATH)
 * scrapes two nodes on loopback every second while both answer queries, and answers the p99 latency expression of the
 * docs with a number: the histograms are real Prometheus histograms that aggregate across nodes with {@code sum by
 * (le)}. Skipped when the binary is not on PATH, except under CI ({@code CI=true}), where that is a failure. The waits
 * are generous (a busy 2-core machine may take long to start Prometheus) and poll; nothing depends on timing.
 */
class PrometheusScrapeIT {
    static final String P99 = "histogram_quantile(0.99, sum by (le) (rate(engram_query_latency_seconds_bucket[1m])))";

    private static final SyntheticSpec SPEC = new SyntheticSpec(6, 300, 32, 8, 2, 7L);
    private static final SyntheticDataGenerator DATA = new SyntheticDataGenerator(SPEC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    @Test
    void prometheusScrapesTwoNodesAndComputesTheP99LatencyAcrossThem(@TempDir Path dir) throws Exception {
        Path prometheus = PrometheusTools.require("prometheus");
        try (LoopbackCluster cluster =
                        LoopbackCluster.builder(SPEC).nodes("n1", "n2").start();
                QueryLoad load = new QueryLoad(List.of(cluster.node("n1"), cluster.node("n2")));
                PrometheusServer server = PrometheusServer.start(
                        prometheus,
                        List.of(cluster.node("n1").url(), cluster.node("n2").url()),
                        dir)) {
            Awaitility.await("both targets up; Prometheus log " + server.log())
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(500))
                    .ignoreExceptions() // connection refused until Prometheus listens
                    .until(() -> targetHealth(server).equals(List.of("up", "up")));
            AtomicReference<JsonNode> last = new AtomicReference<>();
            Awaitility.await("a finite number from " + P99)
                    .atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        JsonNode answer = query(server, P99);
                        last.set(answer);
                        return value(answer).filter(Double::isFinite).isPresent();
                    });
            double p99 = value(last.get()).orElseThrow();
            System.out.printf("%s = %s s (from %s)%n", P99, p99, last.get());
            assertThat(p99)
                    .as("p99 latency in seconds: %s", last.get())
                    .isPositive()
                    .isLessThan(60.0);
            assertThat(load.failures()).as("queries that failed").isZero();
            // both nodes' series are in the sum, with our job/instance target labels and no clash with our own
            JsonNode nodes = query(server, "count(engram_query_build_info{job=\"engram\"})");
            assertThat(value(nodes)).as("%s", nodes).hasValue(2.0);
            JsonNode clashes = query(
                    server,
                    "count({job=\"engram\", exported_instance=~\".+\"})"
                            + " or count({job=\"engram\", exported_job=~\".+\"})");
            assertThat(clashes.path("data").path("result")).as("%s", clashes).isEmpty();
            // the JVM collectors reach Prometheus too
            JsonNode jvm = query(server, "jvm_memory_bytes_used{area=\"heap\"}");
            assertThat(jvm.path("data").path("result")).as("%s", jvm).hasSize(2);
        }
    }

    /** The value of a query that returns one sample, when it does. */
    private static Optional<Double> value(JsonNode answer) {
        JsonNode result = answer.path("data").path("result");
        if (!"success".equals(answer.path("status").asText()) || result.size() != 1) {
            return Optional.empty();
        }
        String text = result.get(0).path("value").get(1).asText();
        // Prometheus writes infinities as Go does, which Double.parseDouble does not read
        return Optional.of(
                switch (text) {
                    case "+Inf" -> Double.POSITIVE_INFINITY;
                    case "-Inf" -> Double.NEGATIVE_INFINITY;
                    default -> Double.parseDouble(text);
                });
    }

    /** The health of every active target, in the order of their scrape URLs. */
    private List<String> targetHealth(PrometheusServer server) throws IOException, InterruptedException {
        JsonNode targets = get(server.api("/api/v1/targets")).path("data").path("activeTargets");
        List<JsonNode> sorted = new ArrayList<>();
        targets.forEach(sorted::add);
        sorted.sort(Comparator.comparing(t -> t.path("scrapeUrl").asText()));
        return sorted.stream().map(t -> t.path("health").asText()).toList();
    }

    private JsonNode query(PrometheusServer server, String expression) throws IOException, InterruptedException {
        return get(server.api("/api/v1/query?query=" + URLEncoder.encode(expression, UTF_8)));
    }

    private JsonNode get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** Recalls every 20 ms, on each node in turn, until closed, so every scrape sees the latency histograms move. */
    private static final class QueryLoad implements AutoCloseable {
        private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "prometheus-it-load");
            thread.setDaemon(true);
            return thread;
        });
        private final AtomicLong failures = new AtomicLong();

        QueryLoad(List<EngramNode> nodes) {
            List<MemorySpaceId> spaces = DATA.spaces();
            AtomicInteger next = new AtomicInteger();
            scheduler.scheduleWithFixedDelay(
                    () -> {
                        int i = next.getAndIncrement();
                        MemorySpaceId space = spaces.get(i % spaces.size());
                        RecallQuery query = new RecallQuery(
                                spaces,
                                Cue.of(DATA.memories(space).get(i % 100).embedding()),
                                Confidence.NONE,
                                QueryOptions.limit(10).withTimeout(Duration.ofSeconds(5)));
                        try {
                            nodes.get(i % nodes.size())
                                    .queryService()
                                    .execute(query)
                                    .get(10, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            failures.incrementAndGet();
                        }
                    },
                    0,
                    20,
                    TimeUnit.MILLISECONDS);
        }

        long failures() {
            return failures.get();
        }

        @Override
        public void close() throws InterruptedException {
            scheduler.shutdownNow();
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** A Prometheus server on a free loopback port scraping its targets every second, storing under a temp dir. */
    private record PrometheusServer(Process process, int port, Path log) implements AutoCloseable {
        static PrometheusServer start(Path binary, List<URI> targets, Path dir) throws IOException {
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: engram
                        metrics_path: /metrics
                        static_configs:
                          - targets: [%s]
                    """.formatted(
                    targets.stream().map(t -> "'" + t.getAuthority() + "'").collect(Collectors.joining(", "))));
            int port = LoopbackCluster.freePort();
            Path log = dir.resolve("prometheus.log");
            Process process = new ProcessBuilder(
                            binary.toString(),
                            "--config.file=" + config,
                            "--storage.tsdb.path=" + dir.resolve("data"),
                            "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new PrometheusServer(process, port, log);
        }

        URI api(String pathAndQuery) {
            return URI.create("http://127.0.0.1:" + port + pathAndQuery);
        }

        @Override
        public void close() throws InterruptedException, IOException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            try (Stream<Path> files = Files.walk(log.getParent().resolve("data"))) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            } catch (IOException e) {
                // @TempDir deletes what is left
            }
        }
    }
}
