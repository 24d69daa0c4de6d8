package io.engram.query.transport.http.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A generated corpus of malformed requests (fixed seed) against {@code /v1/query} and, with a valid token, {@code
 * /internal/v1/partition-query} of a real node process: no 5xx, every error a problem+json document, the node healthy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputIT {
    private static final long SEED = 20_240_917L;
    private static final int PER_ENDPOINT = 2_600;
    private static final int MAX_BODY = 65_536;

    private ClusterHarness cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = ClusterHarness.builder(Path.of("target/reliability/hostile"))
                .nodes("n1")
                .space("n1")
                .space("n1")
                .set("http.max_body_bytes", Integer.toString(MAX_BODY))
                .start();
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void malformedRequestsNeverGetA5xxAndEveryErrorIsAProblemDocument() throws Exception {
        Random random = new Random(SEED);
        List<byte[]> corpus = new ArrayList<>();
        for (int i = 0; i < PER_ENDPOINT; i++) {
            corpus.add(hostileBody(random, i));
        }
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        List<String> violations = new ArrayList<>();
        AtomicInteger sent = new AtomicInteger();
        long start = System.nanoTime();
        Semaphore inFlight = new Semaphore(8);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String path : List.of("/v1/query", "/internal/v1/partition-query")) {
            for (int i = 0; i < corpus.size(); i++) {
                byte[] body = corpus.get(i);
                HttpRequest.Builder request = HttpRequest.newBuilder(
                                cluster.url("n1").resolve(path))
                        .timeout(Duration.ofSeconds(20))
                        .header("Content-Type", i % 97 == 0 ? "text/plain" : "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
                if (path.startsWith("/internal")) {
                    request.header("Authorization", "Bearer " + cluster.token());
                    request.header("Engram-Deadline-Ms", i % 89 == 0 ? "-5" : i % 83 == 0 ? "1e9" : "500");
                }
                inFlight.acquire();
                sent.incrementAndGet();
                String label = path + " #" + i;
                all.add(cluster.http()
                        .sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                        .handle((response, failure) -> {
                            inFlight.release();
                            // a body over the limit may be answered 413 and the connection closed while the
                            // client still sends: the client then sees a reset, not the 413
                            boolean oversized = body.length > MAX_BODY;
                            String problem =
                                    failure != null ? (oversized ? null : resend(request.build())) : check(response);
                            statuses.merge(failure != null ? -1 : response.statusCode(), 1, Integer::sum);
                            if (problem != null) {
                                synchronized (violations) {
                                    violations.add(label + ": " + problem);
                                }
                            }
                            return null;
                        }));
            }
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        List<String> slow = slowBodies();
        JsonNode health = cluster.health("n1");
        QueryOutcome after = cluster.query("n1", ClusterHarness.recall(1000));

        Map<String, Object> figures = new java.util.LinkedHashMap<>();
        figures.put("requests", sent.get());
        figures.put("seed", SEED);
        figures.put("statuses", new TreeMap<>(statuses));
        figures.put("violations", violations.size());
        figures.put("took_ms", tookMs);
        figures.put("slow_bodies", slow);
        ReliabilityResults.record(
                "hostile input",
                sent.get() + " generated malformed requests (seed " + SEED + ") to /v1/query and"
                        + " /internal/v1/partition-query, plus 4 slow or broken bodies over raw sockets",
                "statuses " + new TreeMap<>(statuses) + "; " + violations.size()
                        + " 5xx or non-problem errors; node healthy, a valid query afterwards answered "
                        + after.status(),
                figures);
        assertThat(violations).isEmpty();
        assertThat(sent.get()).isGreaterThanOrEqualTo(5_000);
        assertThat(slow).allMatch(s -> s.startsWith("HTTP/1.1 4") || s.startsWith("HTTP/1.1 200") || s.isEmpty());
        assertThat(health.path("node_id").asText()).isEqualTo("n1");
        assertThat(after.fullCoverage()).isTrue();
    }

    /**
     * A pooled keep-alive connection the server had just closed (after a 413 it closes) can be picked by the client
     * before it sees the FIN; java.net.http does not retry a POST. Sent again once, the request must get its answer.
     */
    private String resend(HttpRequest request) {
        try {
            return check(cluster.http().send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (Exception e) {
            return "transport failure twice: " + e;
        }
    }

    private static String check(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status >= 500) {
            return status + " " + response.body();
        }
        if (status >= 400) {
            String type = response.headers().firstValue("Content-Type").orElse("");
            if (!type.startsWith("application/problem+json")) {
                return status + " with Content-Type '" + type + "'";
            }
            try {
                JsonNode problem = ClusterHarness.JSON.readTree(response.body());
                if (problem.path("status").asInt() != status
                        || !problem.path("detail").isTextual()) {
                    return "problem document does not match: " + response.body();
                }
                if (response.body().contains("Exception") || response.body().contains("\tat ")) {
                    return "a class name or stack trace on the wire: " + response.body();
                }
            } catch (Exception e) {
                return "error body is not JSON: " + response.body();
            }
        }
        return null;
    }

    /** Bodies sent slowly, cut short or longer than announced, over raw sockets; returns each status line. */
    private List<String> slowBodies() throws Exception {
        String query = ClusterHarness.recall(500);
        List<String> lines = new ArrayList<>();
        lines.add(raw(query, query.length(), 20, true)); // a byte every 20 ms for a while, then the rest
        lines.add(raw(query.substring(0, 40), query.length(), 10, false)); // announced more, then half-closes
        lines.add(raw("{\"type\":\"recall\"", 5_000_000, 0, false)); // announces more than the limit
        lines.add(raw(query + "garbage-after-the-document", query.length() + 26, 0, true));
        return lines;
    }

    private String raw(String body, int contentLength, long byteDelayMs, boolean complete) throws Exception {
        URI url = cluster.url("n1");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), url.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + contentLength + "\r\nConnection: close\r\n\r\n")
                    .getBytes(UTF_8));
            byte[] bytes = body.getBytes(UTF_8);
            for (int i = 0; i < bytes.length; i++) {
                out.write(bytes[i]);
                if (byteDelayMs > 0 && i < 60) {
                    out.flush();
                    Thread.sleep(byteDelayMs); // the slowness is the test input
                }
            }
            out.flush();
            if (!complete) {
                socket.shutdownOutput();
            }
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), UTF_8);
            int eol = answer.indexOf("\r\n");
            return eol < 0 ? answer : answer.substring(0, eol);
        }
    }

    /** One malformed body; the category follows {@code i} so every category is covered. */
    static byte[] hostileBody(Random r, int i) {
        Supplier<String> valid = () -> ClusterHarness.recall(300 + r.nextInt(500));
        return switch (i % 16) {
            case 0 -> randomBytes(r, r.nextInt(2000));
            case 1 -> {
                String v = valid.get();
                yield v.substring(0, r.nextInt(v.length())).getBytes(UTF_8);
            }
            case 2 -> nested(r.nextInt(20_000) + 10, r.nextBoolean());
            case 3 ->
                ("{\"type\":\"recall\",\"limit\":" + pick(r, "\"ten\"", "[]", "{}", "true", "1.5", "-1", "0") + "}")
                        .getBytes(UTF_8);
            case 4 ->
                ("{\"type\":\"recall\",\"limit\":" + pick(r, "1e400", "99999999999999999999999", "-1e308")
                                + ",\"min_confidence\":" + pick(r, "NaN", "Infinity", "-Infinity", "1e-400", "2") + "}")
                        .getBytes(UTF_8);
            case 5 ->
                ("{\"type\":\"recall\",\"cue\":{\"embedding\":[" + pick(r, "NaN", "\"x\"", "null", "1e999") + "]}}")
                        .getBytes(UTF_8);
            case 6 ->
                ("{\"type\":\"recall\",\"spaces\":" + pick(r, "[]", "[\"\"]", "[1,2]", "\"s1\"", "[null]") + "}")
                        .getBytes(UTF_8);
            case 7 -> hugeArray(r);
            case 8 -> {
                StringBuilder e = new StringBuilder();
                int n = pick(r, 0, 1, 15, 17, 768, 70_000);
                for (int k = 0; k < Math.min(n, 9_000); k++) {
                    e.append(k == 0 ? "" : ",").append(r.nextFloat());
                }
                yield ("{\"type\":\"recall\",\"cue\":{\"embedding\":[" + e + "]}}").getBytes(UTF_8);
            }
            case 9 ->
                ("{\"type\":\"recall\",\"" + pick(r, "foo", "__proto__", "limit ", "LIMIT", "") + "\":1}")
                        .getBytes(UTF_8);
            case 10 -> badUtf8(r);
            case 11 -> oversized(r);
            case 12 ->
                ("{\"type\":" + pick(r, "\"x\"", "1", "null", "[\"recall\"]", "\"RECALL\"") + "}").getBytes(UTF_8);
            case 13 ->
                ("{\"query_id\":" + pick(r, "1", "\"\"", "\"q\"") + ",\"space\":"
                                + pick(r, "\"s1\"", "\"nope\"", "\"\"", "7") + ",\"query\":"
                                + pick(r, "{}", "null", valid.get(), "\"recall\"") + "}")
                        .getBytes(UTF_8);
            case 14 ->
                ("{\"type\":\"spread\",\"seeds\":" + pick(r, "[]", "[\"\"]", "[\"m1\"]") + ",\"max_hops\":"
                                + pick(r, "-1", "1000000", "3.5", "\"3\"") + ",\"decay\":"
                                + pick(r, "2", "-0.1", "NaN", "0.1") + "}")
                        .getBytes(UTF_8);
            default ->
                pick(r, "", "null", "[]", "{}", "\"\"", "0", "{\"type\":\"recall\"}{}", "\uFEFF{}")
                        .getBytes(UTF_8);
        };
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static byte[] nested(int depth, boolean arrays) {
        StringBuilder s = new StringBuilder("{\"type\":\"recall\",\"cue\":");
        for (int i = 0; i < depth; i++) {
            s.append(arrays ? "[" : "{\"a\":");
        }
        return s.toString().getBytes(UTF_8);
    }

    private static byte[] hugeArray(Random r) {
        StringBuilder s = new StringBuilder("{\"type\":\"recall\",\"spaces\":[");
        int n = 3_000 + r.nextInt(3_000);
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ",").append("\"s").append(i).append('"');
        }
        return s.append("]}").toString().getBytes(UTF_8);
    }

    private static byte[] badUtf8(Random r) {
        byte[] prefix = "{\"type\":\"recall\",\"cue\":{\"content\":\"".getBytes(UTF_8);
        byte[] bad = pick(r, new byte[] {(byte) 0xC3}, new byte[] {(byte) 0xFF, (byte) 0xFE}, new byte[] {
            (byte) 0xED, (byte) 0xA0, (byte) 0x80
        });
        byte[] suffix = "\"}}".getBytes(UTF_8);
        byte[] out = new byte[prefix.length + bad.length + suffix.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(bad, 0, out, prefix.length, bad.length);
        System.arraycopy(suffix, 0, out, prefix.length + bad.length, suffix.length);
        return out;
    }

    private static byte[] oversized(Random r) {
        StringBuilder s = new StringBuilder("{\"type\":\"recall\",\"cue\":{\"content\":\"");
        s.append("x".repeat(MAX_BODY + 1 + r.nextInt(10_000)));
        return s.append("\"}}").toString().getBytes(UTF_8);
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }
}
