package io.engram.query.transport.http.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A peer that answers partition requests with what the test tells it to (malformed, oversized, for another space,
 * with foreign matches) and its health probes with 200, so the coordinator keeps asking it.
 */
final class FakePeer implements AutoCloseable {
    /** What the peer answers. */
    enum Answer {
        MALFORMED,
        OVERSIZED,
        FOREIGN_SPACE,
        FOREIGN_MATCHES,
        WRONG_TYPES,
        WRONG_CONTENT_TYPE
    }

    static final String EVIL_ID = "evil-memory";

    private final HttpServer server;
    private final String space;
    private final AtomicInteger calls = new AtomicInteger();
    private volatile Answer answer = Answer.MALFORMED;

    FakePeer(String space) throws IOException {
        this.space = space;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "fake-peer");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/cluster/health", e -> send(e, 200, "application/json", "{\"status\":\"ok\"}"));
        // healthy as far as peer health goes (its data is what is hostile): it answers every membership probe
        server.createContext(
                "/internal/v1/membership",
                e -> send(
                        e,
                        200,
                        "application/json",
                        "{\"from\":\"n3\",\"incarnation\":0,\"target_reached\":true,\"gossip\":[]}"));
        server.createContext("/internal/v1/partition-query", e -> partition(e, false));
        server.createContext("/internal/v1/node-query", e -> partition(e, true));
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void answer(Answer answer) {
        this.answer = answer;
    }

    int calls() {
        return calls.get();
    }

    /**
     * Answers a partition request, or a node request (for its one space) with the same answer as the reply of its one
     * partition: {@code {"partitions": [answer]}}; a body that is not JSON goes as it is.
     */
    private void partition(HttpExchange exchange, boolean nodeRequest) throws IOException {
        exchange.getRequestBody().readAllBytes();
        calls.incrementAndGet();
        String match = "{\"memory_id\":\"" + EVIL_ID + "\",\"space\":\"s1\",\"confidence\":0.999,\"content\":\"x\"}";
        switch (answer) {
            case MALFORMED ->
                reply(exchange, nodeRequest, 200, "application/json", "{\"space\": \"" + space + "\", \"matches\": [");
            case OVERSIZED -> {
                StringBuilder big = new StringBuilder("{\"space\":\"" + space + "\",\"node\":\"n3\",\"matches\":[");
                for (int i = 0; i < 4000; i++) {
                    big.append(i == 0 ? "" : ",")
                            .append("{\"memory_id\":\"m")
                            .append(i)
                            .append("\",\"space\":\"")
                            .append(space)
                            .append("\",\"confidence\":0.5,\"content\":\"")
                            .append("y".repeat(40))
                            .append("\"}");
                }
                big.append("],\"confidence_adjustment\":1.0,\"latency_ms\":1}");
                reply(exchange, nodeRequest, 200, "application/json", big.toString());
            }
            case FOREIGN_SPACE ->
                reply(
                        exchange,
                        nodeRequest,
                        200,
                        "application/json",
                        "{\"space\":\"s1\",\"node\":\"n3\",\"matches\":[" + match
                                + "],\"confidence_adjustment\":1.0,\"latency_ms\":1}");
            case FOREIGN_MATCHES ->
                reply(
                        exchange,
                        nodeRequest,
                        200,
                        "application/json",
                        "{\"space\":\"" + space + "\",\"node\":\"n3\",\"matches\":[" + match
                                + "],\"confidence_adjustment\":1.0,\"latency_ms\":1}");
            case WRONG_TYPES ->
                reply(
                        exchange,
                        nodeRequest,
                        200,
                        "application/json",
                        "{\"space\":\"" + space + "\",\"node\":\"n3\",\"matches\":\"all of them\","
                                + "\"confidence_adjustment\":1e400,\"latency_ms\":-5}");
            case WRONG_CONTENT_TYPE -> reply(exchange, nodeRequest, 200, "text/html", "<html>hello</html>");
        }
    }

    private static void reply(HttpExchange exchange, boolean nodeRequest, int status, String type, String body)
            throws IOException {
        boolean json = type.equals("application/json");
        send(exchange, status, type, nodeRequest && json ? "{\"partitions\":[" + body + "]}" : body);
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
