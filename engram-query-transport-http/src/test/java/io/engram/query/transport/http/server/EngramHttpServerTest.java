package io.engram.query.transport.http.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.query.api.ConsistencyException;
import io.engram.query.api.Coverage;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.PlanStrategy;
import io.engram.query.api.Query;
import io.engram.query.api.QueryResult;
import io.engram.query.api.QueryService;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.scatter.ScatterPhase;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.transport.http.json.SampleMessages;
import io.engram.query.transport.http.json.WireFormat;
import io.engram.query.transport.http.json.WireLimits;
import io.engram.query.transport.http.metrics.PrometheusTools;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EngramHttpServerTest {
    private static final String RECALL = "{\"type\":\"recall\",\"spaces\":[\"s1\"],\"cue\":{\"content\":\"coffee\"}}";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final WireFormat json = WireFormat.json(WireLimits.defaults());
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final MetricRegistry registry = new MetricRegistry();
    private final List<Query> received = new CopyOnWriteArrayList<>();
    private final List<PartitionRequest> partitionRequests = new CopyOnWriteArrayList<>();
    private Function<Query, CompletableFuture<QueryResult>> answer =
            q -> CompletableFuture.completedFuture(SampleMessages.result());
    private Function<PartitionRequest, CompletableFuture<PartialResult>> partitionAnswer =
            r -> CompletableFuture.completedFuture(
                    new PartialResult(r.space(), NodeId.of("n1"), List.of(), 1.0, Duration.ofMillis(2)));
    private EngramHttpServer server;

    private EngramHttpServer start(HttpServerConfig config) {
        QueryService service = query -> {
            received.add(query);
            return answer.apply(query);
        };
        PartitionQueryHandler handler = request -> {
            partitionRequests.add(request);
            return partitionAnswer.apply(request);
        };
        server = new EngramHttpServer(
                config, service, handler, () -> Map.of("node", "n1", "state", "connected"), registry);
        server.start();
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postJson(String path, String body, String... headers) throws Exception {
        String[] all = new String[headers.length + 2];
        all[0] = "Content-Type";
        all[1] = "application/json";
        System.arraycopy(headers, 0, all, 2, headers.length);
        return post(path, body, all);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(5))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> response, int status, String detail) throws IOException {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = MAPPER.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("type").asText()).isNotEmpty();
        assertThat(problem.get("title").asText()).isNotEmpty();
        assertThat(problem.get("detail").asText()).isEqualTo(detail);
    }

    @Test
    void answersAQueryWithTheResultJson() throws Exception {
        start(HttpServerConfig.loopback(0));
        HttpResponse<String> response = postJson("/v1/query", RECALL);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).isEqualTo(new String(json.writeResult(SampleMessages.result()), UTF_8));
        assertThat(received).hasSize(1);
        assertThat(received.get(0).spaces()).containsExactly(MemorySpaceId.of("s1"));
    }

    @Test
    void aQueryOverTheConcurrencyCapGets429WithRetryAfterAtOnce() throws Exception {
        List<CompletableFuture<QueryResult>> pending = new CopyOnWriteArrayList<>();
        answer = q -> {
            CompletableFuture<QueryResult> future = new CompletableFuture<>();
            pending.add(future);
            return future;
        };
        start(HttpServerConfig.loopback(0).withMaxConcurrentQueries(1));
        CompletableFuture<HttpResponse<String>> first = http.sendAsync(
                HttpRequest.newBuilder(uri("/v1/query"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(RECALL))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pending.size() == 1);

        HttpResponse<String> refused = postJson("/v1/query", RECALL);

        assertProblem(
                refused,
                429,
                "this node is serving its cap of 1 concurrent queries (http.max_concurrent_queries); retry after 1 s"
                        + " or on another node");
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(registry.counter("engram_query_overloaded_total{scope=query}")
                        .getCount())
                .isEqualTo(1);
        pending.get(0).complete(SampleMessages.result());
        assertThat(first.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        answer = q -> CompletableFuture.completedFuture(SampleMessages.result());
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> postJson("/v1/query", RECALL).statusCode() == 200);
    }

    @Test
    void anHttp2ClientThatResetsItsStreamCancelsItsQuery() throws Exception {
        CompletableFuture<QueryResult> pending = new CompletableFuture<>();
        answer = q -> pending;
        start(HttpServerConfig.loopback(0));

        resetItsStream(() -> received.size() == 1, () -> {}, pending);
    }

    @Test
    void aClientThatResetsItsStreamWhileItsQueryIsStartingStillCancelsIt() throws Exception {
        // The reset arrives while execute() is still running, before the handler holds the answer: the failure must
        // not be lost (Jetty drops a failure listener added after the failure).
        CompletableFuture<QueryResult> pending = new CompletableFuture<>();
        CountDownLatch executing = new CountDownLatch(1);
        CountDownLatch aborted = new CountDownLatch(1);
        answer = q -> {
            executing.countDown();
            try {
                aborted.await(5, TimeUnit.SECONDS);
                Thread.sleep(300); // time for the RST_STREAM to reach the server
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return pending;
        };
        start(HttpServerConfig.loopback(0));

        resetItsStream(() -> executing.getCount() == 0, aborted::countDown, pending);
    }

    /**
     * Sends a recall from an HTTP/2 client, waits until {@code started}, resets the stream, runs {@code afterReset}
     * and expects {@code pending}, the query's answer, cancelled.
     */
    private void resetItsStream(
            java.util.function.BooleanSupplier started, Runnable afterReset, CompletableFuture<QueryResult> pending)
            throws Exception {
        org.eclipse.jetty.client.HttpClient h2c = new org.eclipse.jetty.client.HttpClient(
                new org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2(
                        new org.eclipse.jetty.http2.client.HTTP2Client()));
        h2c.start();
        try {
            org.eclipse.jetty.client.Request request = h2c.POST(uri("/v1/query"))
                    .body(new org.eclipse.jetty.client.StringRequestContent("application/json", RECALL));
            request.send(result -> {});
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(started::getAsBoolean);

            request.abort(new IOException("the client gave up"));
            afterReset.run();

            Awaitility.await().atMost(Duration.ofSeconds(5)).until(pending::isCancelled);
        } finally {
            h2c.stop();
        }
    }

    /** Sends a node-to-node call of JSON {@code body} named {@code callId}, with 10 s to its deadline. */
    private CompletableFuture<HttpResponse<String>> sendNamed(String path, byte[] body, String callId) {
        return http.sendAsync(
                HttpRequest.newBuilder(uri(path))
                        .header("Content-Type", "application/json")
                        .header("Engram-Deadline-Ms", "10000")
                        .header("Engram-Call-Id", callId)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aCallerCancelsItsPartitionCallByName() throws Exception {
        CompletableFuture<PartialResult> pending = new CompletableFuture<>();
        partitionAnswer = r -> pending;
        start(HttpServerConfig.loopback(0));
        byte[] body = WireFormat.json(WireLimits.defaults())
                .writePartitionRequest(new PartitionRequest(
                        "q1",
                        SampleMessages.recall(),
                        MemorySpaceId.of("s1"),
                        io.engram.query.api.Deadline.after(Duration.ofSeconds(10))));
        CompletableFuture<HttpResponse<String>> call = sendNamed("/internal/v1/partition-query", body, "q1@n2.7");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> partitionRequests.size() == 1);

        HttpResponse<String> cancelled = post("/internal/v1/partition-cancel", "", "Engram-Call-Id", "q1@n2.7");

        assertThat(cancelled.statusCode()).isEqualTo(204);
        assertThat(pending).isCancelled();
        assertThat(partitionRequests.get(0).deadline().isCancelled()).isTrue();
        assertThat(call.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
        assertThat(post("/internal/v1/partition-cancel", "", "Engram-Call-Id", "q1@n2.7")
                        .statusCode())
                .as("cancelling again, or a call that already ended, is not an error")
                .isEqualTo(204);
        assertProblem(
                post("/internal/v1/partition-cancel", "", "Engram-Call-Id", "bad id!"),
                400,
                "header Engram-Call-Id must be 1 to 200 characters of [A-Za-z0-9._@:-], got 'bad id!'");
    }

    private static final String NODE_BODY = "{\"query_id\":\"q1\",\"partitions\":[{\"space\":\"s1\",\"query\":" + RECALL
            + "},{\"space\":\"s2\",\"query\":" + RECALL + "}]}";

    @Test
    void theNodeEndpointNeedsTheClusterTokenAndADeadlineAndAnswersEveryPartitionIn200() throws Exception {
        partitionAnswer = r -> r.space().value().equals("s2")
                ? CompletableFuture.failedFuture(
                        io.engram.query.spi.TransportException.overloaded("node is at its partition queue cap"))
                : CompletableFuture.completedFuture(
                        new PartialResult(r.space(), NodeId.of("n1"), List.of(), 1.0, Duration.ofMillis(2)));
        start(HttpServerConfig.loopback(0).withClusterToken("cluster-secret"));
        assertProblem(
                postJson("/internal/v1/node-query", NODE_BODY, "Engram-Deadline-Ms", "500"),
                401,
                "missing bearer token; send the header 'Authorization: Bearer <cluster token>'");
        assertProblem(
                postJson("/internal/v1/node-query", NODE_BODY, "Authorization", "Bearer cluster-secret"),
                400,
                "header Engram-Deadline-Ms is required: the milliseconds left until the query's deadline");
        assertProblem(
                post(
                        "/internal/v1/node-query",
                        NODE_BODY,
                        "Content-Type",
                        "text/plain",
                        "Authorization",
                        "Bearer cluster-secret",
                        "Engram-Deadline-Ms",
                        "500"),
                415,
                "Content-Type must be application/json or application/x-jackson-smile, got 'text/plain'");
        assertProblem(
                postJson(
                        "/internal/v1/node-query",
                        "{\"query_id\":\"q1\",\"partitions\":[]}",
                        "Authorization",
                        "Bearer cluster-secret",
                        "Engram-Deadline-Ms",
                        "500"),
                400,
                "a node request needs at least one partition");
        assertThat(partitionRequests).isEmpty();

        HttpResponse<String> ok = postJson(
                "/internal/v1/node-query",
                NODE_BODY,
                "Authorization",
                "Bearer cluster-secret",
                "Engram-Deadline-Ms",
                "500");

        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(ok.body())
                .isEqualTo("{\"partitions\":[{\"space\":\"s1\",\"node\":\"n1\",\"matches\":[],"
                        + "\"confidence_adjustment\":1.0,\"latency_ms\":2},"
                        + "{\"space\":\"s2\",\"error\":{\"reason\":\"failed\",\"retryable\":false,"
                        + "\"overloaded\":true,\"message\":\"node is at its partition queue cap\"}}]}");
        assertThat(partitionRequests).extracting(r -> r.space().value()).containsExactly("s1", "s2");
        assertThat(partitionRequests).allSatisfy(r -> {
            assertThat(r.queryId()).isEqualTo("q1");
            assertThat(r.deadline().remainingMillis()).isBetween(1L, 500L);
        });
    }

    @Test
    void aCallerCancelsItsNodeCallByName() throws Exception {
        CompletableFuture<PartialResult> pending = new CompletableFuture<>();
        partitionAnswer = r -> pending;
        start(HttpServerConfig.loopback(0));
        CompletableFuture<HttpResponse<String>> call =
                sendNamed("/internal/v1/node-query", NODE_BODY.getBytes(UTF_8), "q1@n2.8");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> partitionRequests.size() == 2);
        assertThat(partitionRequests).noneMatch(r -> r.deadline().isCancelled());

        HttpResponse<String> cancelled = post("/internal/v1/partition-cancel", "", "Engram-Call-Id", "q1@n2.8");

        assertThat(cancelled.statusCode()).isEqualTo(204);
        // the exchange's deadline is cancelled, and with it every partition's: the engine stops at its next check
        assertThat(partitionRequests).allMatch(r -> r.deadline().isCancelled());
        assertThat(call.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
    }

    @Test
    void anOverloadedPartitionRunGets429SoTheCallerTriesAnotherCopy() throws Exception {
        partitionAnswer = r -> CompletableFuture.failedFuture(
                io.engram.query.spi.TransportException.overloaded("node is at its partition queue cap"));
        start(HttpServerConfig.loopback(0));
        byte[] body = WireFormat.json(WireLimits.defaults())
                .writePartitionRequest(new PartitionRequest(
                        "q1",
                        SampleMessages.recall(),
                        MemorySpaceId.of("s1"),
                        io.engram.query.api.Deadline.after(Duration.ofSeconds(1))));

        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(uri("/internal/v1/partition-query"))
                        .header("Content-Type", "application/json")
                        .header("Engram-Deadline-Ms", "1000")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertProblem(response, 429, "node is at its partition queue cap");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
    }

    @Test
    void malformedInputGetsA400NamingTheProblem() throws Exception {
        start(HttpServerConfig.loopback(0).withDimensions(768));
        assertProblem(
                postJson("/v1/query", "{\"type\":\"recall\","),
                400,
                "malformed JSON at line 1, column 18: Unexpected end-of-input within/between Object entries");
        assertProblem(
                postJson("/v1/query", "{\"type\":\"recall\",\"cue\":{\"content\":\"x\"},\"foo\":1}"),
                400,
                "unknown field 'foo' in recall query; known: consistency, cue, limit, merge_policy, min_confidence,"
                        + " planning_strategy, spaces, timeout_ms, type");
        assertProblem(
                postJson("/v1/query", "{\"type\":\"recall\",\"cue\":{\"content\":\"x\"},\"limit\":\"ten\"}"),
                400,
                "limit must be an integer, got a string");
        assertProblem(
                postJson("/v1/query", "{\"type\":\"recall\",\"cue\":{\"content\":\"x\"},\"limit\":0}"),
                400,
                "limit must be in [1, 10000], got 0");
        assertProblem(
                postJson("/v1/query", "{\"type\":\"recall\",\"cue\":{\"embedding\":[0.1,0.2,0.3]}}"),
                400,
                "cue.embedding must have 768 dimensions, got 3");
        assertProblem(
                postJson("/v1/query", "{\"type\":\"x\"}"),
                400,
                "unknown query type 'x'; known: recall, spread, complete, imagine");
        assertThat(received).isEmpty();
    }

    @Test
    void bodiesAboveTheLimitGet413WithOrWithoutContentLength() throws Exception {
        start(HttpServerConfig.loopback(0).withMaxBodyBytes(100));
        String big = "{\"type\":\"recall\",\"cue\":{\"content\":\"" + "x".repeat(200) + "\"}}";
        assertProblem(postJson("/v1/query", big), 413, "body must be at most 100 bytes, got 238");
        HttpRequest chunked = HttpRequest.newBuilder(uri("/v1/query"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes(UTF_8))))
                .build();
        HttpResponse<String> response = http.send(chunked, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
        assertThat(MAPPER.readTree(response.body()).get("detail").asText())
                .startsWith("body must be at most 100 bytes, got at least ");
    }

    @Test
    void theApiTokenIsRequiredWhenConfigured() throws Exception {
        start(HttpServerConfig.loopback(0).withApiToken("s3cret-api-token"));
        HttpResponse<String> missing = postJson("/v1/query", RECALL);
        assertProblem(missing, 401, "missing bearer token; send the header 'Authorization: Bearer <api token>'");
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"engram\"");
        // The body was not read: the connection is not reused for the next request.
        assertThat(missing.headers().firstValue("Connection")).hasValue("close");
        assertProblem(
                postJson("/v1/query", RECALL, "Authorization", "Bearer s3cret-api-tokeX"), 401, "invalid api token");
        assertProblem(postJson("/v1/query", RECALL, "Authorization", "Bearer x"), 401, "invalid api token");
        assertProblem(
                postJson("/v1/query", RECALL, "Authorization", "Basic czNjcmV0"),
                401,
                "the Authorization header must use the Bearer scheme");
        assertThat(received).isEmpty();
        assertThat(postJson("/v1/query", RECALL, "Authorization", "Bearer s3cret-api-token")
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void thePartitionEndpointNeedsTheClusterTokenAndADeadline() throws Exception {
        start(HttpServerConfig.loopback(0).withClusterToken("cluster-secret"));
        String body = "{\"query_id\":\"q1\",\"space\":\"s1\",\"query\":" + RECALL + "}";
        assertProblem(
                postJson("/internal/v1/partition-query", body, "Engram-Deadline-Ms", "500"),
                401,
                "missing bearer token; send the header 'Authorization: Bearer <cluster token>'");
        assertProblem(
                postJson(
                        "/internal/v1/partition-query",
                        body,
                        "Authorization",
                        "Bearer wrong",
                        "Engram-Deadline-Ms",
                        "500"),
                401,
                "invalid cluster token");
        assertProblem(
                postJson("/internal/v1/partition-query", body, "Authorization", "Bearer cluster-secret"),
                400,
                "header Engram-Deadline-Ms is required: the milliseconds left until the query's deadline");
        assertProblem(
                postJson(
                        "/internal/v1/partition-query",
                        body,
                        "Authorization",
                        "Bearer cluster-secret",
                        "Engram-Deadline-Ms",
                        "soon"),
                400,
                "header Engram-Deadline-Ms must be a whole number of milliseconds in [0, 600000], got 'soon'");
        HttpResponse<String> ok = postJson(
                "/internal/v1/partition-query",
                body,
                "Authorization",
                "Bearer cluster-secret",
                "Engram-Deadline-Ms",
                "500");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body())
                .isEqualTo("{\"space\":\"s1\",\"node\":\"n1\",\"matches\":[],"
                        + "\"confidence_adjustment\":1.0,\"latency_ms\":2}");
        assertThat(partitionRequests).hasSize(1);
        assertThat(partitionRequests.get(0).queryId()).isEqualTo("q1");
        assertThat(partitionRequests.get(0).deadline().remainingMillis()).isBetween(1L, 500L);
    }

    @Test
    void aConsistencyFailureIs503NamingTheMissingPartitions() throws Exception {
        Coverage coverage = new Coverage(
                2,
                1,
                0.5,
                List.of(MissingPartition.of(
                        MemorySpaceId.of("s3"), NodeId.of("n3"), MissingReason.TIMEOUT, "no answer in 500 ms")));
        answer = q -> CompletableFuture.failedFuture(new ConsistencyException("all", coverage));
        start(HttpServerConfig.loopback(0));
        HttpResponse<String> response = postJson("/v1/query", RECALL);
        assertProblem(
                response,
                503,
                "consistency 'all' not met: 1 of 2 partitions responded; missing: "
                        + "s3@n3 timeout (no answer in 500 ms)");
        JsonNode problem = MAPPER.readTree(response.body());
        assertThat(problem.get("type").asText()).isEqualTo("urn:engram:problem:consistency-not-met");
        assertThat(problem.get("missing_partitions").toString())
                .isEqualTo("[{\"space\":\"s3\",\"node\":\"n3\",\"reason\":\"timeout\","
                        + "\"detail\":\"no answer in 500 ms\"}]");
    }

    @Test
    void anUnknownPolicyIs400AndAnUnexpectedFailureIs500WithoutAStackTrace() throws Exception {
        answer = q -> CompletableFuture.failedFuture(
                new IllegalArgumentException("unknown merge policy 'maxx'; known: avg, max"));
        start(HttpServerConfig.loopback(0));
        assertProblem(postJson("/v1/query", RECALL), 400, "unknown merge policy 'maxx'; known: avg, max");

        answer = q -> {
            throw new IllegalStateException("boom in io.engram.secret.Internals");
        };
        HttpResponse<String> response = postJson("/v1/query", RECALL);
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(MAPPER.readTree(response.body()).get("detail").asText())
                .matches("the server failed to answer; its log has the details under error id [0-9a-f-]{36}");
        assertThat(response.body()).doesNotContain("Exception", "boom", "io.engram", "\tat ");
    }

    @Test
    void unknownPathsWrongMethodsAndMediaTypesAreRejected() throws Exception {
        start(HttpServerConfig.loopback(0));
        assertProblem(
                get("/v2/query"),
                404,
                "no endpoint at '/v2/query'; known: /v1/query,"
                        + " /internal/v1/partition-query, /internal/v1/node-query, /internal/v1/partition-cancel,"
                        + " /cluster/health, /internal/v1/membership, /metrics");
        HttpResponse<String> wrongMethod = get("/v1/query");
        assertProblem(wrongMethod, 405, "/v1/query accepts POST, got GET");
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("POST");
        assertProblem(
                post("/v1/query", RECALL, "Content-Type", "text/plain"),
                415,
                "Content-Type must be application/json, got 'text/plain'");
        assertProblem(
                post("/internal/v1/partition-query", "{}", "Content-Type", "text/plain", "Engram-Deadline-Ms", "100"),
                415,
                "Content-Type must be application/json or application/x-jackson-smile, got 'text/plain'");
    }

    @Test
    void healthIsTheReportersJson() throws Exception {
        start(HttpServerConfig.loopback(0));
        HttpResponse<String> response = get("/cluster/health");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(MAPPER.readTree(response.body()))
                .isEqualTo(MAPPER.readTree("{\"node\":\"n1\",\"state\":\"connected\"}"));
    }

    @Test
    void metricsArePrometheusTextWithLabelsThatPromtoolAccepts() throws Exception {
        QueryMetrics metrics = new QueryMetrics(registry);
        metrics.peer(NodeId.of("n2"));
        metrics.scatterStarted(ScatterPhase.QUERY);
        metrics.queryStarted(PlanStrategy.BROADCAST, 3);
        metrics.queryFinished(PlanStrategy.BROADCAST, Duration.ofMillis(20));
        metrics.partitionMissing(MissingReason.TIMEOUT);
        // what a host may add to the registry: a plain timer is a summary in seconds, a meter named _total a counter
        registry.timer("host_request_seconds{path=query}").update(Duration.ofMillis(20));
        registry.meter("host_requests_total").mark(4);
        start(HttpServerConfig.loopback(0));
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        String text = response.body();
        assertThat(text.lines())
                .contains(
                        "# TYPE engram_query_latency_seconds histogram",
                        "engram_query_latency_seconds_bucket{strategy=\"broadcast\",le=\"0.01\",} 0.0",
                        "engram_query_latency_seconds_bucket{strategy=\"broadcast\",le=\"0.025\",} 1.0",
                        "engram_query_latency_seconds_count{strategy=\"broadcast\",} 1.0",
                        "engram_query_latency_seconds_sum{strategy=\"broadcast\",} 0.02",
                        "engram_query_scatter_count{strategy=\"broadcast\",} 1.0",
                        "engram_query_scatter_count{strategy=\"single_partition\",} 0.0",
                        "engram_query_scatters_total{phase=\"query\",} 1.0",
                        "# TYPE engram_query_partial_timeouts_total counter",
                        "engram_query_partial_timeouts_total 1.0",
                        "engram_query_missing_partitions_total 1.0",
                        "# TYPE host_request_seconds summary",
                        "host_request_seconds{path=\"query\",quantile=\"0.5\",} 0.02",
                        "# TYPE host_requests_total counter",
                        "host_requests_total 4.0");
        assertThat(text.lines().filter(l -> l.startsWith("# TYPE engram_query_latency_seconds ")))
                .hasSize(1);
        PrometheusTools.assertPromtoolAccepts(text);
    }

    @Test
    void stopLetsAnInFlightQueryFinish() throws Exception {
        CompletableFuture<QueryResult> pending = new CompletableFuture<>();
        answer = q -> pending;
        start(HttpServerConfig.loopback(0));
        CompletableFuture<HttpResponse<String>> response = http.sendAsync(
                HttpRequest.newBuilder(uri("/v1/query"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(RECALL))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !received.isEmpty());
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::stop);
        pending.complete(SampleMessages.result());
        assertThat(response.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        stopping.get(10, TimeUnit.SECONDS);
        assertThat(server.isRunning()).isFalse();
        server = null;
    }
}
