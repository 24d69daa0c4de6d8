package io.engram.query.transport.http.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.api.Deadline;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.QueryResult;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.QueryPlugin;
import io.engram.query.spi.Transport;
import io.engram.query.spi.TransportContext;
import io.engram.query.spi.TransportException;
import io.engram.query.spi.config.ConfigKey;
import io.engram.query.spi.config.ConfigValues;
import io.engram.query.transport.http.json.SampleMessages;
import io.engram.query.transport.http.json.WireFormat;
import io.engram.query.transport.http.json.WireLimits;
import io.engram.query.transport.http.server.EngramHttpServer;
import io.engram.query.transport.http.server.HttpServerConfig;
import io.engram.query.transport.http.server.PartitionQueryHandler;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpTransportTest {
    private static final NodeId N2 = NodeId.of("n2");
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");

    private final List<EngramHttpServer> servers = new ArrayList<>();
    private final List<Server> rawServers = new ArrayList<>();
    private final List<Transport> transports = new ArrayList<>();
    private final List<PartitionRequest> received = new CopyOnWriteArrayList<>();
    private final List<String> rawCalls = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (Transport t : transports) {
            t.close();
        }
        for (EngramHttpServer s : servers) {
            s.stop();
        }
        for (Server s : rawServers) {
            s.stop();
        }
    }

    /** A transport context with one node, n2, at {@code port}. */
    private record Context(int port, Optional<String> token, ConfigValues settings) implements TransportContext {
        @Override
        public NodeId localNode() {
            return NodeId.of("n1");
        }

        @Override
        public Optional<URI> addressOf(NodeId node) {
            return node.equals(N2) ? Optional.of(URI.create("http://127.0.0.1:" + port)) : Optional.empty();
        }

        @Override
        public Optional<String> clusterToken() {
            return token;
        }
    }

    private int startNode(String token, PartitionQueryHandler handler) {
        EngramHttpServer server = new EngramHttpServer(
                HttpServerConfig.loopback(0).withClusterToken(token),
                query -> CompletableFuture.<QueryResult>failedFuture(new UnsupportedOperationException()),
                request -> {
                    received.add(request);
                    return handler.execute(request);
                },
                Map::of,
                new MetricRegistry());
        server.start();
        servers.add(server);
        return server.port();
    }

    private int startRaw(Handler handler) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(handler);
        server.start();
        rawServers.add(server);
        return connector.getLocalPort();
    }

    private Transport transport(int port, String token, Map<String, String> settings) {
        Transport transport =
                new HttpTransportFactory().create(new Context(port, Optional.ofNullable(token), typed(settings)));
        transports.add(transport);
        return transport;
    }

    /** Settings given as TOML values, read as the node reads them. */
    private static ConfigValues typed(Map<String, String> settings) {
        ConfigValues.Builder values = ConfigValues.builder();
        settings.forEach((name, text) -> put(
                values,
                HttpTransportConfig.KEYS.stream()
                        .filter(k -> k.name().equals(name))
                        .findFirst()
                        .orElseThrow(),
                text));
        return values.build();
    }

    private static <T> void put(ConfigValues.Builder values, ConfigKey<T> key, String text) {
        values.put(key, key.type().parse(text));
    }

    private static PartitionRequest request(Duration timeout) {
        return new PartitionRequest("q-1", SampleMessages.recall(), S1, Deadline.after(timeout));
    }

    private static PartialResult answer(PartitionRequest request) {
        return new PartialResult(request.space(), N2, SampleMessages.result().matches(), 0.75, Duration.ofMillis(3));
    }

    private static TransportException failure(CompletableFuture<?> call) {
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> call.get(5, TimeUnit.SECONDS));
        assertThat(thrown).isInstanceOf(ExecutionException.class);
        assertThat(thrown.getCause()).isInstanceOf(TransportException.class);
        return (TransportException) thrown.getCause();
    }

    @Test
    void sendsTheRequestWithTheDeadlineAndReadsTheAnswer() throws Exception {
        int port = startNode("secret", r -> CompletableFuture.completedFuture(answer(r)));
        PartitionRequest request = request(Duration.ofSeconds(2));
        PartialResult result =
                transport(port, "secret", Map.of()).execute(N2, request).get(5, TimeUnit.SECONDS);
        assertThat(result).isEqualTo(answer(request));
        assertThat(received).hasSize(1);
        assertThat(received.get(0).queryId()).isEqualTo("q-1");
        assertThat(received.get(0).query()).isEqualTo(SampleMessages.recall());
        assertThat(received.get(0).deadline().remainingMillis()).isBetween(1L, 2000L);
    }

    @Test
    void worksOverH2cAndInSmile() throws Exception {
        int port = startNode("secret", r -> CompletableFuture.completedFuture(answer(r)));
        PartitionRequest request = request(Duration.ofSeconds(2));
        Transport transport =
                transport(port, "secret", Map.of("transport.http.h2c", "true", "transport.http.format", "smile"));
        for (int i = 0; i < 3; i++) {
            assertThat(transport.execute(N2, request).get(5, TimeUnit.SECONDS)).isEqualTo(answer(request));
        }
    }

    @Test
    void aRejectedTokenIsAFailureNotWorthRetrying() {
        int port = startNode("secret", r -> CompletableFuture.completedFuture(answer(r)));
        TransportException e = failure(transport(port, "wrong", Map.of()).execute(N2, request(Duration.ofSeconds(2))));
        assertThat(e.reason()).isEqualTo(MissingReason.FAILED);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e).hasMessage("cluster token rejected by n2: invalid cluster token");
        assertThat(received).isEmpty();
    }

    @Test
    void anInvalidRequestIsRejected() {
        int port = startNode(
                "secret",
                r -> CompletableFuture.failedFuture(
                        new IllegalArgumentException("space 's1' is not held by this node")));
        TransportException e = failure(transport(port, "secret", Map.of()).execute(N2, request(Duration.ofSeconds(2))));
        assertThat(e.reason()).isEqualTo(MissingReason.REJECTED);
        assertThat(e).hasMessage("n2 rejected the partition query (400): space 's1' is not held by this node");
    }

    /** Answers every request with {@code body}, recording its path and call id in {@link #rawCalls}. */
    private Handler answering(int status, String contentType, String body) {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                rawCalls.add(request.getHttpURI().getPath() + " "
                        + request.getHeaders().get("Engram-Call-Id"));
                response.setStatus(status);
                response.getHeaders().put("Content-Type", contentType);
                response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
        };
    }

    @Test
    void garbageFromThePeerIsAFailedCall() throws Exception {
        int port = startRaw(answering(200, "application/json", "<html>not json</html>"));
        TransportException e = failure(transport(port, null, Map.of()).execute(N2, request(Duration.ofSeconds(2))));
        assertThat(e.reason()).isEqualTo(MissingReason.FAILED);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e).hasMessageStartingWith("malformed answer from n2: malformed JSON at line 1, column 1:");
    }

    @Test
    void anAnswerForAnotherSpaceIsAFailedCall() throws Exception {
        int port = startRaw(answering(
                200,
                "application/json",
                "{\"space\":\"s9\",\"node\":\"n2\",\"matches\":[],\"confidence_adjustment\":1.0,\"latency_ms\":1}"));
        TransportException e = failure(transport(port, null, Map.of()).execute(N2, request(Duration.ofSeconds(2))));
        assertThat(e.reason()).isEqualTo(MissingReason.FAILED);
        assertThat(e).hasMessage("n2 answered for space 's9', asked for 's1'");
    }

    @Test
    void anOversizedAnswerIsAFailedCall() throws Exception {
        int port = startRaw(answering(200, "application/json", "[" + "1,".repeat(1000) + "1]"));
        TransportException e = failure(transport(port, null, Map.of("transport.http.max_response_bytes", "1024"))
                .execute(N2, request(Duration.ofSeconds(2))));
        assertThat(e.reason()).isEqualTo(MissingReason.FAILED);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e).hasMessage("the answer of n2 is larger than 1024 bytes");
    }

    /** Answers {@code body} in three writes without a Content-Length, so it arrives chunked. */
    private static Handler answeringInParts(byte[] body) {
        return new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                response.getHeaders().put("Content-Type", "application/json");
                int third = body.length / 3;
                response.write(
                        false,
                        ByteBuffer.wrap(body, 0, third),
                        Callback.from(
                                () -> response.write(
                                        false,
                                        ByteBuffer.wrap(body, third, third),
                                        Callback.from(
                                                () -> response.write(
                                                        true,
                                                        ByteBuffer.wrap(body, 2 * third, body.length - 2 * third),
                                                        callback),
                                                callback::failed)),
                                callback::failed));
                return true;
            }
        };
    }

    @Test
    void anAnswerInChunksWithoutContentLengthIsReadWhole() throws Exception {
        PartitionRequest request = request(Duration.ofSeconds(2));
        byte[] body = WireFormat.json(WireLimits.defaults()).writePartialResult(answer(request));
        int port = startRaw(answeringInParts(body));
        assertThat(transport(port, null, Map.of("transport.http.format", "json"))
                        .execute(N2, request)
                        .get(5, TimeUnit.SECONDS))
                .isEqualTo(answer(request));
    }

    @Test
    void anOversizedAnswerInChunksIsAFailedCall() throws Exception {
        PartitionRequest request = request(Duration.ofSeconds(2));
        byte[] body = ("[" + "1,".repeat(1000) + "1]").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int port = startRaw(answeringInParts(body));
        TransportException e = failure(transport(
                        port,
                        null,
                        Map.of("transport.http.format", "json", "transport.http.max_response_bytes", "1024"))
                .execute(N2, request));
        assertThat(e.reason()).isEqualTo(MissingReason.FAILED);
        assertThat(e).hasMessage("the answer of n2 is larger than 1024 bytes");
    }

    @Test
    void aServerErrorIsARetryableFailure() throws Exception {
        int port = startRaw(answering(
                503,
                "application/problem+json",
                "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,\"detail\":\"stopping\"}"));
        TransportException e = failure(transport(port, null, Map.of()).execute(N2, request(Duration.ofSeconds(2))));
        assertThat(e.reason()).isEqualTo(MissingReason.FAILED);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e).hasMessage("n2 answered 503: stopping");
    }

    @Test
    void aHungPeerTimesOutByTheDeadline() {
        int port = startNode("secret", r -> new CompletableFuture<>());
        long start = System.nanoTime();
        TransportException e =
                failure(transport(port, "secret", Map.of()).execute(N2, request(Duration.ofMillis(300))));
        assertThat(e.reason()).isEqualTo(MissingReason.TIMEOUT);
        assertThat(e).hasMessageStartingWith("n2 did not answer for space 's1' within ");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void cancellingTheCallAbortsTheExchange() {
        CompletableFuture<PartialResult> work = new CompletableFuture<>();
        int port = startNode("secret", r -> work);
        // over h2c an abort resets the stream, which the server sees at once (HTTP/1.1 closes the connection, which
        // a server not reading from it only notices at its next write)
        CompletableFuture<PartialResult> call = transport(port, "secret", Map.of("transport.http.h2c", "true"))
                .execute(N2, request(Duration.ofSeconds(10)));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !received.isEmpty());
        assertThat(call.cancel(true)).isTrue();
        // the aborted connection makes the server cancel the partition work it no longer needs
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(work::isCancelled);
    }

    // ---------------------------------------------------------------- node requests

    private static final MemorySpaceId S2 = MemorySpaceId.of("s2");
    private static final MemorySpaceId S3 = MemorySpaceId.of("s3");

    private static NodeRequest nodeRequest(Duration timeout, MemorySpaceId... spaces) {
        Deadline deadline = Deadline.after(timeout);
        List<PartitionRequest> partitions = new ArrayList<>();
        for (MemorySpaceId space : spaces) {
            partitions.add(new PartitionRequest("q-1", SampleMessages.recall(), space, deadline.child()));
        }
        return new NodeRequest("q-1", partitions, 0);
    }

    @Test
    void aNodeRequestGetsItsRepliesInOrderWithEachFailureKeepingItsFlags() throws Exception {
        int port = startNode("secret", r -> {
            if (r.space().equals(S2)) {
                return CompletableFuture.failedFuture(
                        TransportException.overloaded("node is at its partition queue cap"));
            }
            if (r.space().equals(S3)) {
                return CompletableFuture.failedFuture(
                        new TransportException(MissingReason.UNREACHABLE, false, "space s3 is not held here"));
            }
            return CompletableFuture.completedFuture(answer(r));
        });
        for (Map<String, String> settings : List.of(
                Map.of("transport.http.format", "json"),
                Map.of("transport.http.format", "smile", "transport.http.h2c", "true"))) {
            received.clear();
            Transport transport = transport(port, "secret", settings);
            assertThat(transport.batches()).isTrue();
            NodeRequest request = nodeRequest(Duration.ofSeconds(2), S3, S1, S2);

            List<PartitionReply> replies = transport.executeAll(N2, request).get(5, TimeUnit.SECONDS);

            assertThat(replies).extracting(PartitionReply::space).containsExactly(S3, S1, S2);
            assertThat(replies.get(1).result())
                    .hasValue(answer(request.partitions().get(1)));
            assertThat(replies.get(0).failure()).get().satisfies(e -> {
                assertThat(e.reason()).isEqualTo(MissingReason.UNREACHABLE);
                assertThat(e.isRetryable()).isFalse();
                assertThat(e.isOverloaded()).isFalse();
                assertThat(e).hasMessage("space s3 is not held here");
            });
            assertThat(replies.get(2).failure()).get().satisfies(e -> {
                assertThat(e.reason()).isEqualTo(MissingReason.FAILED);
                assertThat(e.isRetryable()).isFalse();
                assertThat(e.isOverloaded()).isTrue();
                assertThat(e).hasMessage("node is at its partition queue cap");
            });
            assertThat(received).extracting(PartitionRequest::space).containsExactlyInAnyOrder(S3, S1, S2);
            assertThat(received).allSatisfy(r -> {
                assertThat(r.queryId()).isEqualTo("q-1");
                assertThat(r.deadline().remainingMillis()).isBetween(1L, 2000L);
            });
        }
    }

    private static String partial(String space) {
        return "{\"space\":\"" + space + "\",\"node\":\"n2\",\"matches\":[],\"confidence_adjustment\":1.0}";
    }

    @Test
    void aNodeRequestIsOneExchangeToTheNodeEndpoint() throws Exception {
        int port = startRaw(
                answering(200, "application/json", "{\"partitions\":[" + partial("s1") + "," + partial("s2") + "]}"));
        List<PartitionReply> replies = transport(port, null, Map.of("transport.http.format", "json"))
                .executeAll(N2, nodeRequest(Duration.ofSeconds(2), S1, S2))
                .get(5, TimeUnit.SECONDS);
        assertThat(replies).extracting(PartitionReply::space).containsExactly(S1, S2);
        assertThat(rawCalls).singleElement().asString().matches("/internal/v1/node-query q-1\\.\\d+");
    }

    @Test
    void aPeerAnsweringTheWrongPartitionsFailsTheExchange() throws Exception {
        int tooFew = startRaw(answering(200, "application/json", "{\"partitions\":[" + partial("s1") + "]}"));
        TransportException e =
                failure(transport(tooFew, null, Map.of()).executeAll(N2, nodeRequest(Duration.ofSeconds(2), S1, S2)));
        assertThat(e.reason()).isEqualTo(MissingReason.FAILED);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e).hasMessage("n2 answered 1 partitions, asked for 2 (spaces 's1', 's2')");

        int wrongSpace = startRaw(answering(
                200,
                "application/json",
                "{\"partitions\":[" + partial("s1") + ",{\"space\":\"s9\",\"error\":{\"reason\":\"failed\","
                        + "\"message\":\"x\"}}]}"));
        e = failure(transport(wrongSpace, null, Map.of()).executeAll(N2, nodeRequest(Duration.ofSeconds(2), S1, S2)));
        assertThat(e.reason()).isEqualTo(MissingReason.FAILED);
        assertThat(e).hasMessage("n2 answered for space 's9' at partitions[1], asked for 's2'");

        int swapped = startRaw(
                answering(200, "application/json", "{\"partitions\":[" + partial("s2") + "," + partial("s1") + "]}"));
        e = failure(transport(swapped, null, Map.of()).executeAll(N2, nodeRequest(Duration.ofSeconds(2), S1, S2)));
        assertThat(e).hasMessage("n2 answered for space 's2' at partitions[0], asked for 's1'");

        int garbage =
                startRaw(answering(200, "application/json", "{\"partitions\":[{\"space\":\"s1\",\"error\":{}}]}"));
        e = failure(transport(garbage, null, Map.of()).executeAll(N2, nodeRequest(Duration.ofSeconds(2), S1)));
        assertThat(e.reason()).isEqualTo(MissingReason.FAILED);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e).hasMessage("malformed answer from n2: missing field 'partitions[0].error.reason'");
    }

    @Test
    void anOverloadedNodeFailsTheExchangeAsOverloaded() throws Exception {
        int port = startRaw(answering(
                429,
                "application/problem+json",
                "{\"type\":\"urn:engram:problem:overloaded\",\"title\":\"Too Many Requests\",\"status\":429,"
                        + "\"detail\":\"at its cap\"}"));
        TransportException e =
                failure(transport(port, null, Map.of()).executeAll(N2, nodeRequest(Duration.ofSeconds(2), S1, S2)));
        assertThat(e.reason()).isEqualTo(MissingReason.FAILED);
        assertThat(e.isOverloaded()).isTrue();
        assertThat(e.isRetryable()).isFalse();
        assertThat(e).hasMessage("n2 is overloaded (429): at its cap");
    }

    @Test
    void aNodeRequestPastItsDeadlineOrToANodeWithoutAddressIsNotSent() {
        Transport transport = transport(1, null, Map.of());
        assertThat(failure(transport.executeAll(N2, nodeRequest(Duration.ZERO, S1, S2))))
                .hasMessage("the deadline passed before spaces 's1', 's2' could be asked of n2")
                .extracting(TransportException::reason)
                .isEqualTo(MissingReason.TIMEOUT);
        assertThat(failure(transport.executeAll(NodeId.of("n7"), nodeRequest(Duration.ofSeconds(1), S1))))
                .hasMessage("no address is configured for node 'n7'")
                .extracting(TransportException::reason)
                .isEqualTo(MissingReason.UNREACHABLE);
    }

    @Test
    void cancellingANodeCallAbortsItAndCancelsItOnTheNodeByName() {
        int port = startNode("secret", r -> new CompletableFuture<>());
        // HTTP/1.1: the serving node does not see the aborted connection while it computes; the cancel by name stops it
        CompletableFuture<List<PartitionReply>> call =
                transport(port, "secret", Map.of()).executeAll(N2, nodeRequest(Duration.ofSeconds(10), S1, S2));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
        assertThat(received).noneMatch(r -> r.deadline().isCancelled());

        assertThat(call.cancel(true)).isTrue();

        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> received.stream().allMatch(r -> r.deadline().isCancelled()));
    }

    @Test
    void aRefusedConnectionIsUnreachable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        TransportException e = failure(transport(port, null, Map.of()).execute(N2, request(Duration.ofSeconds(2))));
        assertThat(e.reason()).isEqualTo(MissingReason.UNREACHABLE);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e).hasMessage("n2 refused the connection (http://127.0.0.1:" + port + ")");
    }

    @Test
    void aNodeWithoutAnAddressIsUnreachableAndAnExpiredDeadlineTimesOut() {
        Transport transport = transport(1, null, Map.of());
        assertThat(failure(transport.execute(NodeId.of("n7"), request(Duration.ofSeconds(1)))))
                .hasMessage("no address is configured for node 'n7'")
                .extracting(TransportException::reason)
                .isEqualTo(MissingReason.UNREACHABLE);
        assertThat(failure(transport.execute(N2, request(Duration.ZERO))))
                .hasMessage("the deadline passed before space 's1' could be asked of n2")
                .extracting(TransportException::reason)
                .isEqualTo(MissingReason.TIMEOUT);
    }

    @Test
    void settingsOutOfRangeAreRefusedNamingTheirKey() {
        assertThatThrownBy(() -> new HttpTransportConfig(false, true, 100, Duration.ofSeconds(1), 64))
                .hasMessage("transport.http.max_response_bytes must be in [1024, 1073741824], got 100");
        assertThatThrownBy(() -> ConfigValues.builder().put(HttpTransportConfig.MAX_CONNECTIONS_PER_NODE, 0))
                .hasMessage("transport.http.max_connections_per_node must be in [1, 10000], got 0");
    }

    @Test
    void bothTransportPluginsAreFoundByServiceLoader() {
        // The planner's and aggregation's built-in plugins are on the class path too; the tcp transport is a runtime
        // dependency of the node.
        assertThat(ServiceLoader.load(QueryPlugin.class).stream()
                        .map(ServiceLoader.Provider::get)
                        .flatMap(p -> p.transportFactories().stream())
                        .map(f -> f.name())
                        .sorted()
                        .toList())
                .containsExactly("http", "tcp");
    }
}
