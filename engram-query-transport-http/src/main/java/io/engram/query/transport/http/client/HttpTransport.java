package io.engram.query.transport.http.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.Transport;
import io.engram.query.spi.TransportContext;
import io.engram.query.spi.TransportException;
import io.engram.query.transport.http.json.WireFormat;
import io.engram.query.transport.http.json.WireFormatException;
import io.engram.query.transport.http.json.WireLimits;
import io.engram.query.transport.http.tls.TlsConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Sends partition requests to other nodes' {@code POST /internal/v1/partition-query}, and node requests (every
 * partition a node serves for a round, {@link #executeAll}) to their {@code POST /internal/v1/node-query}, over one
 * shared Jetty {@link HttpClient} (pooled keep-alive HTTP/1.1, or h2c). Each call carries the cluster token and the
 * remaining deadline ({@code Engram-Deadline-Ms}) and is bounded by it; cancelling the returned future aborts the
 * exchange and cancels the call on the serving node by its {@code Engram-Call-Id}.
 *
 * <p>Failures map to {@link TransportException}: connection refused or lost before an answer → {@code UNREACHABLE};
 * no answer by the deadline or 504 → {@code TIMEOUT}; 5xx → {@code FAILED}, retryable; 401/403 → {@code FAILED}, not
 * retryable; other 4xx → {@code REJECTED}; a malformed or oversized answer, or one for another space → {@code FAILED},
 * not retryable. A node request's answer must have one reply per partition, same spaces, same order, or the whole
 * exchange is {@code FAILED}; a partition that failed on the node is a failed reply with the node's reason and flags.
 *
 * <p>The returned future usually completes on the client's I/O (selector) thread, saving a thread hand-off per answer:
 * stages chained on it must not block (wait on another future, sleep, do blocking I/O).
 */
public final class HttpTransport implements Transport {
    static final String PARTITION_PATH = "/internal/v1/partition-query";
    static final String NODE_PATH = "/internal/v1/node-query";
    static final String DEADLINE_HEADER = "Engram-Deadline-Ms";
    static final String CANCEL_PATH = "/internal/v1/partition-cancel";
    /** Names one partition call, so that its caller can cancel it ({@link #CANCEL_PATH}). */
    static final String CALL_ID_HEADER = "Engram-Call-Id";
    /** How long a cancel message may take; it is best effort, the serving node's deadline ends the work anyway. */
    private static final long CANCEL_TIMEOUT_MS = 1_000;

    private final TransportContext context;
    private final HttpTransportConfig config;
    private final HttpClient client;
    private final WireFormat format;
    private final WireFormat json;
    private final WireFormat smile;
    private final Optional<String> authorization;
    private final ObjectMapper problems = new ObjectMapper();
    private final Map<URI, Endpoints> endpoints = new ConcurrentHashMap<>();

    public HttpTransport(TransportContext context, HttpTransportConfig config) {
        this(context, config, Optional.empty());
    }

    /** With {@code tls}, peers are called over HTTPS (HTTP/1.1; h2c is HTTP/2 without TLS and is refused). */
    public HttpTransport(TransportContext context, HttpTransportConfig config, Optional<TlsConfig> tls) {
        if (tls.isPresent() && config.h2c()) {
            throw new IllegalArgumentException(
                    HttpTransportConfig.H2C + " is HTTP/2 without TLS; it can not be used" + " with TLS");
        }
        this.context = requireNonNull(context, "context is null");
        this.config = requireNonNull(config, "config is null");
        WireLimits limits = WireLimits.defaults().withMaxDocumentBytes(config.maxResponseBytes());
        this.json = WireFormat.json(limits);
        this.smile = WireFormat.smile(limits);
        this.format = config.smile() ? smile : json;
        this.authorization = context.clusterToken().map(t -> "Bearer " + t);
        this.client = startClient(config, tls);
    }

    private static HttpClient startClient(HttpTransportConfig config, Optional<TlsConfig> tls) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("engram-http-client");
        threads.setDaemon(true);
        ClientConnector connector = new ClientConnector();
        connector.setExecutor(threads);
        HttpClientTransport transport = config.h2c()
                ? new HttpClientTransportOverHTTP2(new HTTP2Client(connector))
                : new HttpClientTransportOverHTTP(connector);
        // Answers are handled without blocking (buffered, decoded, the future completed), so the selector thread may
        // run them itself instead of handing each one to another thread.
        transport.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
        HttpClient client = new HttpClient(transport);
        client.setExecutor(threads);
        client.setFollowRedirects(false);
        client.setConnectTimeout(config.connectTimeout().toMillis());
        client.setMaxConnectionsPerDestination(config.maxConnectionsPerNode());
        client.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, "engram-query"));
        tls.ifPresent(t -> t.applyTo(connector, client));
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the HTTP client: " + e.getMessage(), e);
        }
        return client;
    }

    private final AtomicLong callIds = new AtomicLong();

    @Override
    public CompletableFuture<PartialResult> execute(NodeId node, PartitionRequest request) {
        requireNonNull(node, "node is null");
        requireNonNull(request, "request is null");
        return call(
                new Call<>(
                        node,
                        Endpoints::partition,
                        request.queryId(),
                        "space '" + request.space() + "'",
                        "partition query",
                        (answerFormat, bytes) -> partialResult(node, request, answerFormat.readPartialResult(bytes))),
                request.deadline().remainingMillis(),
                () -> format.writePartitionRequest(request));
    }

    /** Always: {@link #executeAll} sends a node's partitions in one exchange ({@code /internal/v1/node-query}). */
    @Override
    public boolean batches() {
        return true;
    }

    /**
     * POSTs every partition of {@code request} to the node's {@code /internal/v1/node-query} in one exchange. Whole
     * exchange failures are those of {@link #execute}; a partition that failed on the node is a failed reply with the
     * node's reason, flags and message. An answer that does not have one reply per partition, for the same spaces in
     * the same order, is a {@code FAILED} exchange. The exchange is bounded by the latest deadline of its partitions.
     */
    @Override
    public CompletableFuture<List<PartitionReply>> executeAll(NodeId node, NodeRequest request) {
        requireNonNull(node, "node is null");
        requireNonNull(request, "request is null");
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(request.remainingNanos());
        return call(
                new Call<>(
                        node,
                        Endpoints::node,
                        request.queryId(),
                        request.describeSpaces(),
                        "node query",
                        (answerFormat, bytes) ->
                                PartitionReply.checked(node, request, answerFormat.readNodeReplies(bytes))),
                remainingMs,
                () -> format.writeNodeRequest(request));
    }

    /**
     * One node-to-node exchange: where it goes, what it is about (for messages), and how its 200 answer is read.
     *
     * @param what the spaces asked, {@code space 's1'}
     * @param kind {@code partition query}, for a rejection's message
     */
    private record Call<T>(
            NodeId node,
            Function<Endpoints, URI> endpoint,
            String queryId,
            String what,
            String kind,
            AnswerReader<T> reader) {}

    /** Reads a 200 answer in the format its Content-Type names. */
    @FunctionalInterface
    private interface AnswerReader<T> {
        T read(WireFormat format, byte[] body);
    }

    /**
     * Sends {@code call}: the cluster token, the remaining time, a unique call id; bounded by that time. Cancelling
     * the returned future aborts the exchange and cancels the call on the serving node by its id.
     */
    private <T> CompletableFuture<T> call(Call<T> call, long remainingMs, Supplier<byte[]> body) {
        NodeId node = call.node();
        Optional<Endpoints> endpoints = endpoints(node);
        if (endpoints.isEmpty()) {
            return CompletableFuture.failedFuture(
                    TransportException.unreachable("no address is configured for node '" + node + "'"));
        }
        if (remainingMs <= 0) {
            return CompletableFuture.failedFuture(TransportException.timeout(
                    "the deadline passed before " + call.what() + " could be asked of " + node));
        }
        String callId = call.queryId() + "." + callIds.incrementAndGet();
        Request http = client.newRequest(call.endpoint().apply(endpoints.get()))
                .method(HttpMethod.POST)
                .headers(h -> {
                    authorization.ifPresent(a -> h.put(HttpHeader.AUTHORIZATION, a));
                    h.put(DEADLINE_HEADER, Long.toString(remainingMs));
                    h.put(CALL_ID_HEADER, callId);
                    h.put(HttpHeader.ACCEPT, format.mediaType());
                })
                .body(new BytesRequestContent(format.mediaType(), body.get()))
                .timeout(remainingMs, TimeUnit.MILLISECONDS);
        CompletableFuture<T> result = new CompletableFuture<>();
        result.whenComplete((r, failure) -> {
            if (failure instanceof CancellationException) {
                http.abort(failure);
                // Over HTTP/1.1 the serving node does not notice an aborted connection while it computes (Jetty reads
                // nothing until it answers), so the call is cancelled by name; over h2c the stream reset also does.
                cancelRemote(endpoints.get(), callId);
            }
        });
        http.send(new AnswerListener<>(call, remainingMs, result));
        return result;
    }

    private static PartialResult partialResult(NodeId node, PartitionRequest request, PartialResult partial) {
        if (!partial.space().equals(request.space())) {
            throw TransportException.failed(
                    node + " answered for space '" + partial.space() + "', asked for '" + request.space() + "'", false);
        }
        return partial;
    }

    /**
     * {@code GET /cluster/health} of {@code node}, as JSON: what a peer announces about itself (its tcp transport's
     * address, for one). Fails with a {@link TransportException} as a call does; bounded by {@code timeout}.
     */
    public CompletableFuture<JsonNode> health(NodeId node, java.time.Duration timeout) {
        Optional<URI> base = context.addressOf(node);
        if (base.isEmpty()) {
            return CompletableFuture.failedFuture(
                    TransportException.unreachable("no address is configured for node '" + node + "'"));
        }
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        client.newRequest(base.get().resolve("/cluster/health"))
                .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .send(new org.eclipse.jetty.client.BufferingResponseListener(64 << 10) {
                    @Override
                    public void onComplete(Result outcome) {
                        if (outcome.isFailed()) {
                            result.completeExceptionally(TransportException.unreachable(
                                    "the health of " + node + " could not be read: " + outcome.getFailure()));
                        } else if (outcome.getResponse().getStatus() != 200) {
                            result.completeExceptionally(TransportException.failed(
                                    node + " answered its health with "
                                            + outcome.getResponse().getStatus(),
                                    true));
                        } else {
                            try {
                                result.complete(json.readTree(getContent()));
                            } catch (RuntimeException e) {
                                result.completeExceptionally(TransportException.failed(
                                        "malformed health from " + node + ": " + e.getMessage(), false));
                            }
                        }
                    }
                });
        return result;
    }

    /** Tells the serving node to stop call {@code callId}; best effort, its answer is not awaited. */
    private void cancelRemote(Endpoints endpoints, String callId) {
        client.newRequest(endpoints.cancel())
                .method(HttpMethod.POST)
                .headers(h -> {
                    authorization.ifPresent(a -> h.put(HttpHeader.AUTHORIZATION, a));
                    h.put(CALL_ID_HEADER, callId);
                })
                .timeout(CANCEL_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .send(result -> {});
    }

    /** A node's node-to-node endpoints. */
    private record Endpoints(URI partition, URI node, URI cancel) {}

    /** The node's endpoints, resolved once per address. */
    private Optional<Endpoints> endpoints(NodeId node) {
        return context.addressOf(node)
                .map(base -> endpoints.computeIfAbsent(
                        base,
                        b -> new Endpoints(b.resolve(PARTITION_PATH), b.resolve(NODE_PATH), b.resolve(CANCEL_PATH))));
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the HTTP client: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "HttpTransport[" + (config.h2c() ? "h2c" : "http/1.1") + ", " + format.mediaType() + "]";
    }

    /** The peer's answer was larger than allowed. */
    private static final class AnswerTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        AnswerTooLarge(String message) {
            super(message, null);
        }
    }

    /** Buffers one answer up to the size limit and completes the call's future from it. */
    private final class AnswerListener<T> implements Response.Listener {
        private final NodeId node;
        private final Call<T> call;
        private final long timeoutMs;
        private final CompletableFuture<T> result;
        /** The answer so far, sized from Content-Length when known, so each chunk is copied once. */
        private byte[] content = new byte[0];

        private int size;

        AnswerListener(Call<T> call, long timeoutMs, CompletableFuture<T> result) {
            this.node = call.node();
            this.call = call;
            this.timeoutMs = timeoutMs;
            this.result = result;
        }

        @Override
        public void onHeaders(Response response) {
            long length = response.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
            if (length > config.maxResponseBytes()) {
                response.abort(tooLarge());
            } else if (length > 0) {
                content = new byte[(int) length];
            }
        }

        @Override
        public void onContent(Response response, ByteBuffer chunk) {
            int length = chunk.remaining();
            if ((long) size + length > config.maxResponseBytes()) {
                response.abort(tooLarge());
                return;
            }
            if (size + length > content.length) {
                content = Arrays.copyOf(content, (int)
                        Math.min(config.maxResponseBytes(), Math.max(size + length, 2L * content.length)));
            }
            chunk.get(content, size, length);
            size += length;
        }

        private AnswerTooLarge tooLarge() {
            return new AnswerTooLarge(
                    "the answer of " + node + " is larger than " + config.maxResponseBytes() + " bytes");
        }

        @Override
        public void onComplete(Result outcome) {
            if (result.isDone()) {
                return; // cancelled by the caller
            }
            try {
                if (outcome.isFailed()) {
                    result.completeExceptionally(failure(outcome));
                } else {
                    result.complete(answer(outcome.getResponse()));
                }
            } catch (TransportException e) {
                result.completeExceptionally(e);
            } catch (RuntimeException e) {
                result.completeExceptionally(TransportException.failed(
                        "the answer of " + node + " could not be used: " + e.getMessage(), false));
            }
        }

        private TransportException failure(Result outcome) {
            Throwable failure = outcome.getFailure();
            String space = call.what();
            AnswerTooLarge tooLarge = find(failure, AnswerTooLarge.class);
            if (tooLarge != null) {
                return TransportException.failed(tooLarge.getMessage(), false);
            }
            if (find(failure, TimeoutException.class) != null) {
                return TransportException.timeout(
                        node + " did not answer for " + space + " within " + timeoutMs + " ms");
            }
            if (find(failure, ConnectException.class) != null) {
                return TransportException.unreachable(node + " refused the connection (" + address() + ")");
            }
            if (find(failure, UnknownHostException.class) != null
                    || find(failure, UnresolvedAddressException.class) != null) {
                return TransportException.unreachable(node + " has an unresolvable address (" + address() + ")");
            }
            Response response = outcome.getResponse();
            if (response != null && response.getStatus() > 0) {
                return TransportException.failed(
                        "the answer of " + node + " for " + space + " broke off: " + describe(failure), true);
            }
            if (find(failure, IOException.class) != null) {
                return TransportException.unreachable("the connection to " + node + " failed: " + describe(failure));
            }
            return TransportException.failed(
                    "the call to " + node + " for " + space + " failed: " + describe(failure), true);
        }

        private T answer(Response response) {
            int status = response.getStatus();
            byte[] bytes = size == content.length ? content : Arrays.copyOf(content, size);
            if (status == 200) {
                return read(response, bytes);
            }
            String detail = problemDetail(bytes);
            if (status == 401 || status == 403) {
                throw new TransportException(
                        io.engram.query.api.MissingReason.FAILED, false, "cluster token rejected by " + node + detail);
            }
            if (status == 429) {
                // healthy but at its cap: try another copy rather than adding to its queue
                throw TransportException.overloaded(node + " is overloaded (429)" + detail);
            }
            if (status == 504) {
                throw TransportException.timeout(node + " did not finish by the deadline" + detail);
            }
            if (status >= 500) {
                throw TransportException.failed(node + " answered " + status + detail, true);
            }
            if (status == 404 || status == 409) {
                // The node does not hold the space (its view of the cluster differs): another copy may.
                throw TransportException.failed(node + " can not answer (" + status + ")" + detail, false);
            }
            if (status >= 400) {
                throw TransportException.rejected(node + " rejected the " + call.kind() + " (" + status + ")" + detail);
            }
            throw TransportException.failed(node + " answered an unexpected status " + status, false);
        }

        private T read(Response response, byte[] bytes) {
            String contentType = Optional.ofNullable(response.getHeaders().get(HttpHeader.CONTENT_TYPE))
                    .orElse("");
            String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
            WireFormat answerFormat;
            if (mediaType.equals(json.mediaType())) {
                answerFormat = json;
            } else if (mediaType.equals(smile.mediaType())) {
                answerFormat = smile;
            } else {
                throw TransportException.failed(
                        "the answer of " + node + " has Content-Type '" + contentType + "', expected "
                                + format.mediaType(),
                        false);
            }
            try {
                return call.reader().read(answerFormat, bytes);
            } catch (WireFormatException e) {
                throw TransportException.failed("malformed answer from " + node + ": " + e.getMessage(), false);
            }
        }

        /** {@code ": <detail>"} from a problem+json body, or nothing. */
        private String problemDetail(byte[] bytes) {
            try {
                JsonNode detail = problems.readTree(bytes).get("detail");
                if (detail != null && detail.isTextual()) {
                    String text = detail.textValue();
                    return ": " + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
                }
            } catch (IOException | RuntimeException e) {
                // not a problem document; the status says enough
            }
            return "";
        }

        private String address() {
            return context.addressOf(node).map(URI::toString).orElse("no address");
        }
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
