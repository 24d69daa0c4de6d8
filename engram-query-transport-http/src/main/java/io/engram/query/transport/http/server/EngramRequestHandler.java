package io.engram.query.transport.http.server;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.api.ConsistencyException;
import io.engram.query.api.Deadline;
import io.engram.query.api.Printable;
import io.engram.query.api.Query;
import io.engram.query.api.QueryResult;
import io.engram.query.api.QueryService;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.spi.TransportException;
import io.engram.query.transport.http.json.WireFormat;
import io.engram.query.transport.http.json.WireFormatException;
import io.engram.query.transport.http.json.WireLimits;
import io.engram.query.transport.http.metrics.PrometheusTextRenderer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes and serves the endpoints with Jetty core handlers. Request bodies are read asynchronously and the
 * response is written when the query's future completes, so no server thread waits for a query.
 */
final class EngramRequestHandler extends Handler.Abstract {
    static final String QUERY_PATH = "/v1/query";
    static final String PARTITION_PATH = "/internal/v1/partition-query";
    static final String NODE_PATH = "/internal/v1/node-query";
    static final String HEALTH_PATH = "/cluster/health";
    static final String MEMBERSHIP_PATH = "/internal/v1/membership";
    static final String METRICS_PATH = "/metrics";
    static final String DEADLINE_HEADER = "Engram-Deadline-Ms";
    static final String PARTITION_CANCEL_PATH = "/internal/v1/partition-cancel";
    static final String CALL_ID_HEADER = "Engram-Call-Id";
    private static final java.util.regex.Pattern CALL_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._@:-]{1,200}");
    static final long MAX_DEADLINE_MS = 600_000;
    /** How long past its deadline a partition query may run before the server answers 504 on its own. */
    private static final long DEADLINE_GRACE_MS = 1_000;
    /** What a 429 asks the client to wait, in seconds: the time a query at the cap usually takes to make room. */
    static final int RETRY_AFTER_SECONDS = 1;

    private static final Logger LOG = LoggerFactory.getLogger(EngramRequestHandler.class);
    private static final Map<String, String> METHODS = Map.of(
            QUERY_PATH,
            "POST",
            PARTITION_PATH,
            "POST",
            NODE_PATH,
            "POST",
            PARTITION_CANCEL_PATH,
            "POST",
            HEALTH_PATH,
            "GET",
            MEMBERSHIP_PATH,
            "POST",
            METRICS_PATH,
            "GET");

    private final HttpServerConfig config;
    private final QueryService queryService;
    private final PartitionQueryHandler partitionHandler;
    private final HealthReporter health;
    private final MembershipEndpoint membership;
    private final PrometheusTextRenderer metrics;
    private final WireFormat json;
    private final WireFormat smile;
    private final Optional<BearerToken> clusterToken;
    private final Optional<BearerToken> apiToken;
    private final Semaphore queryPermits;
    /** Partition runs in progress by their caller's call id, so that the caller can cancel one by name. */
    private final Map<String, Runnable> runningCalls = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * Calls cancelled before their request was seen (the cancel overtook it on another connection, or this node was
     * paused): a request naming one is refused at once. The most recent {@value #REMEMBERED_CANCELS} are kept.
     */
    private final Map<String, Boolean> cancelledEarly =
            java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED_CANCELS;
                }
            });

    private static final int REMEMBERED_CANCELS = 4096;

    private final MetricRegistry registry;

    EngramRequestHandler(
            HttpServerConfig config,
            QueryService queryService,
            PartitionQueryHandler partitionHandler,
            HealthReporter health,
            MembershipEndpoint membership,
            MetricRegistry registry) {
        this.config = requireNonNull(config, "config is null");
        this.membership = requireNonNull(membership, "membership is null");
        this.queryService = requireNonNull(queryService, "query service is null");
        this.partitionHandler = requireNonNull(partitionHandler, "partition handler is null");
        this.health = requireNonNull(health, "health reporter is null");
        this.metrics = new PrometheusTextRenderer(requireNonNull(registry, "registry is null"));
        WireLimits limits = WireLimits.defaults()
                .withMaxDocumentBytes(config.maxBodyBytes())
                .withDimensions(config.dimensions());
        this.json = WireFormat.json(limits);
        this.smile = WireFormat.smile(limits);
        this.clusterToken = config.clusterToken().map(t -> new BearerToken(t, "cluster"));
        this.apiToken = config.apiToken().map(t -> new BearerToken(t, "api"));
        this.queryPermits = new Semaphore(config.maxConcurrentQueries());
        this.registry = registry;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Exchange exchange = new Exchange(request, response, callback);
        try {
            String path = request.getHttpURI().getPath();
            String method = METHODS.get(path);
            if (method == null) {
                throw new ProblemException(Problem.of(
                        404,
                        "Not Found",
                        "no endpoint at '" + Printable.of(path) + "'; known: "
                                + String.join(
                                        ", ",
                                        QUERY_PATH,
                                        PARTITION_PATH,
                                        NODE_PATH,
                                        PARTITION_CANCEL_PATH,
                                        HEALTH_PATH,
                                        MEMBERSHIP_PATH,
                                        METRICS_PATH)));
            }
            if (!method.equals(request.getMethod())) {
                response.getHeaders().put(HttpHeader.ALLOW, method);
                throw new ProblemException(Problem.of(
                        405,
                        "Method Not Allowed",
                        path + " accepts " + method + ", got " + Printable.of(request.getMethod())));
            }
            switch (path) {
                case QUERY_PATH -> query(exchange);
                case PARTITION_PATH -> partitionQuery(exchange);
                case NODE_PATH -> nodeQuery(exchange);
                case PARTITION_CANCEL_PATH -> cancelPartition(exchange);
                case HEALTH_PATH -> exchange.send(200, WireFormat.JSON_MEDIA_TYPE, json.write(health.health()));
                case MEMBERSHIP_PATH -> membership(exchange);
                default ->
                    exchange.send(
                            200,
                            PrometheusTextRenderer.CONTENT_TYPE,
                            metrics.render().getBytes(StandardCharsets.UTF_8));
            }
        } catch (Throwable t) {
            exchange.fail(t);
        }
        return true;
    }

    /**
     * Admission: at most {@code http.max_concurrent_queries} client queries at once; one more is answered at once
     * with 429 and {@code Retry-After} rather than queued (a queued query would spend its deadline waiting). The time
     * a request spent before it got here (Jetty's queue, reading its body) counts inside its deadline. A client that
     * goes away cancels its query on every node.
     */
    private void query(Exchange exchange) {
        apiToken.ifPresent(token -> token.check(exchange.header(HttpHeader.AUTHORIZATION)));
        requireMediaType(exchange, json);
        if (!queryPermits.tryAcquire()) {
            registry.counter(QueryMetrics.labelled(QueryMetrics.OVERLOADED, "scope", "query"))
                    .inc();
            ProblemException refusal = new ProblemException(overloaded("this node is serving its cap of "
                    + config.maxConcurrentQueries() + " concurrent queries (http.max_concurrent_queries); retry after "
                    + RETRY_AFTER_SECONDS + " s or on another node"));
            // The body (at most http.max_body_bytes, usually in the buffer already) is read and dropped so that the
            // connection stays open: closing it on every 429 made an overloaded client reconnect for each retry,
            // which cost the served queries more than reading the bodies (a 200s p99 of 481-612 ms against 47-229).
            readBody(exchange).whenComplete((body, failure) -> exchange.fail(failure != null ? failure : refusal));
            return;
        }
        Request.addCompletionListener(exchange.request, t -> queryPermits.release());
        CompletableFuture<Void> clientGone = callerGone(exchange.request);
        readBody(exchange)
                .thenCompose(body -> {
                    Query query = json.readQuery(body);
                    CompletableFuture<QueryResult> answer = queryService.execute(query, waited(exchange.request));
                    // the client went away (closed the connection, reset the stream): nobody waits for the answer
                    clientGone.thenRun(() -> answer.cancel(true));
                    return answer;
                })
                .whenComplete((QueryResult result, Throwable failure) -> {
                    if (failure != null) {
                        exchange.fail(failure);
                    } else {
                        exchange.send(200, json.mediaType(), json.writeResult(result));
                    }
                });
    }

    /**
     * Completes when the request fails (the caller closed its connection or reset its stream). Registered before any
     * work starts: Jetty tells only the failure listeners present when the failure arrives, so a listener added once
     * the query is running would miss a client that left in between; the returned future remembers it instead.
     */
    private static CompletableFuture<Void> callerGone(Request request) {
        CompletableFuture<Void> gone = new CompletableFuture<>();
        request.addFailureListener(t -> gone.complete(null));
        return gone;
    }

    /**
     * Time since Jetty began the request. Jetty stamps it with {@code System.nanoTime()}, so it is read on that clock
     * and not on the injected ticker.
     */
    private static Duration waited(Request request) {
        return Duration.ofNanos(Math.max(0, System.nanoTime() - request.getBeginNanoTime()));
    }

    static Problem overloaded(String detail) {
        return new Problem("urn:engram:problem:overloaded", "Too Many Requests", 429, detail, Map.of());
    }

    private void partitionQuery(Exchange exchange) {
        internalCall(
                exchange, WireFormat::readPartitionRequest, partitionHandler::execute, WireFormat::writePartialResult);
    }

    /**
     * Every partition this node serves for one round of a query, in one exchange: 200 with one reply per partition,
     * a partition that failed here being a failed reply in the body; whole-request problems as for a partition query.
     */
    private void nodeQuery(Exchange exchange) {
        internalCall(exchange, WireFormat::readNodeRequest, partitionHandler::executeAll, WireFormat::writeNodeReplies);
    }

    /** Reads a node-to-node request from its body, with the deadline fixed from the caller's remaining time. */
    @FunctionalInterface
    private interface InternalReader<T> {
        T read(WireFormat format, byte[] body, Deadline deadline);
    }

    /**
     * Serves a node-to-node call: the cluster token, the deadline header, the media type (JSON or Smile, answered in
     * kind), the body limit, cancellation by {@code Engram-Call-Id} and when the caller goes away.
     */
    private <T, R> void internalCall(
            Exchange exchange,
            InternalReader<T> reader,
            Function<T, CompletableFuture<R>> handler,
            BiFunction<WireFormat, R, byte[]> writer) {
        clusterToken.ifPresent(token -> token.check(exchange.header(HttpHeader.AUTHORIZATION)));
        long deadlineMs = deadlineMillis(exchange.header(DEADLINE_HEADER));
        Optional<String> callId = exchange.header(CALL_ID_HEADER).map(EngramRequestHandler::callId);
        WireFormat format = requireMediaType(exchange, json, smile);
        CompletableFuture<Void> callerGone = callerGone(exchange.request);
        readBody(exchange)
                .thenCompose(body -> {
                    // the caller's remaining time, less what this request already spent here before the handler
                    Duration left = Duration.ofMillis(deadlineMs).minus(waited(exchange.request));
                    Deadline deadline = Deadline.after(left.isNegative() ? Duration.ZERO : left);
                    T request = reader.read(format, body, deadline);
                    if (callId.isPresent() && cancelledEarly.remove(callId.get()) != null) {
                        registry.counter(QueryMetrics.PARTITION_CANCELLED).inc();
                        throw new java.util.concurrent.CancellationException(
                                "call " + callId.get() + " was cancelled by its caller before it arrived");
                    }
                    CompletableFuture<R> work = handler.apply(request);
                    // the caller no longer waits (it cancelled the call by name, or its connection or stream failed):
                    // the cancelled deadline stops the engine at its next check
                    Runnable stop = () -> {
                        deadline.cancel();
                        work.cancel(true);
                    };
                    callId.ifPresent(id -> {
                        if (!work.isDone()) {
                            runningCalls.put(id, stop);
                            work.whenComplete((p, f) -> runningCalls.remove(id, stop));
                        }
                    });
                    callerGone.thenRun(stop);
                    return work.orTimeout(deadlineMs + DEADLINE_GRACE_MS, TimeUnit.MILLISECONDS);
                })
                .whenComplete((R answer, Throwable failure) -> {
                    if (failure != null) {
                        exchange.fail(failure);
                    } else {
                        exchange.send(200, format.mediaType(), writer.apply(format, answer));
                    }
                });
    }

    /** One message of the peer-health protocol, guarded by the cluster token; JSON both ways. */
    private void membership(Exchange exchange) {
        clusterToken.ifPresent(token -> token.check(exchange.header(HttpHeader.AUTHORIZATION)));
        requireMediaType(exchange, json);
        readBody(exchange).thenCompose(membership::answer).whenComplete((answer, failure) -> {
            if (failure != null) {
                exchange.fail(failure);
            } else {
                exchange.send(200, WireFormat.JSON_MEDIA_TYPE, answer);
            }
        });
    }

    /** A caller cancels one of its partition calls: 204 whether it still ran or had already ended. */
    private void cancelPartition(Exchange exchange) {
        clusterToken.ifPresent(token -> token.check(exchange.header(HttpHeader.AUTHORIZATION)));
        String id = callId(exchange.header(CALL_ID_HEADER)
                .orElseThrow(() -> new ProblemException(
                        Problem.badRequest("header " + CALL_ID_HEADER + " is required: the call to cancel"))));
        Runnable stop = runningCalls.remove(id);
        if (stop != null) {
            stop.run();
        } else {
            cancelledEarly.put(id, Boolean.TRUE);
        }
        exchange.send(204, WireFormat.JSON_MEDIA_TYPE, new byte[0]);
    }

    private static String callId(String value) {
        String trimmed = value.trim();
        if (!CALL_ID.matcher(trimmed).matches()) {
            throw new ProblemException(Problem.badRequest("header " + CALL_ID_HEADER
                    + " must be 1 to 200 characters of [A-Za-z0-9._@:-], got '" + Printable.of(value) + "'"));
        }
        return trimmed;
    }

    private static long deadlineMillis(Optional<String> header) {
        if (header.isEmpty()) {
            throw new ProblemException(Problem.badRequest(
                    "header " + DEADLINE_HEADER + " is required: the milliseconds left until the query's deadline"));
        }
        try {
            long ms = Long.parseLong(header.get().trim());
            if (ms >= 0 && ms <= MAX_DEADLINE_MS) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ProblemException(Problem.badRequest("header " + DEADLINE_HEADER + " must be a whole number of"
                + " milliseconds in [0, " + MAX_DEADLINE_MS + "], got '" + Printable.of(header.get()) + "'"));
    }

    /** Checks the Content-Type; returns the format of the first accepted type it matches. */
    private static WireFormat requireMediaType(Exchange exchange, WireFormat... accepted) {
        String contentType = exchange.header(HttpHeader.CONTENT_TYPE).orElse("");
        String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        for (WireFormat format : accepted) {
            if (format.mediaType().equals(mediaType)) {
                return format;
            }
        }
        StringBuilder names = new StringBuilder();
        for (WireFormat format : accepted) {
            names.append(names.length() == 0 ? "" : " or ").append(format.mediaType());
        }
        throw new ProblemException(Problem.of(
                415,
                "Unsupported Media Type",
                "Content-Type must be " + names + ", got "
                        + (contentType.isEmpty() ? "none" : "'" + Printable.of(contentType) + "'")));
    }

    private CompletableFuture<byte[]> readBody(Exchange exchange) {
        long length = exchange.request.getLength();
        if (length > config.maxBodyBytes()) {
            throw BodyReader.tooLarge(config.maxBodyBytes(), length, true);
        }
        return BodyReader.read(exchange.request, config.maxBodyBytes()).thenApply(body -> {
            exchange.bodyRead = true;
            return body;
        });
    }

    /** One request and its response, completed exactly once. */
    private final class Exchange {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final AtomicBoolean done = new AtomicBoolean();
        /** Set once the whole body was read; an error answered before that ends the connection. */
        private volatile boolean bodyRead;

        Exchange(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        private boolean hasBody() {
            return request.getLength() > 0 || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        }

        Optional<String> header(HttpHeader name) {
            return Optional.ofNullable(request.getHeaders().get(name));
        }

        Optional<String> header(String name) {
            return Optional.ofNullable(request.getHeaders().get(name));
        }

        void send(int status, String contentType, byte[] body) {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
            response.write(true, ByteBuffer.wrap(body), callback);
        }

        void fail(Throwable failure) {
            Problem problem = problemFor(failure);
            if (problem.status() == 401) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"engram\"");
            }
            if (problem.status() == 429) {
                response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
            }
            if (problem.status() == 401 || problem.status() == 413 || (!bodyRead && hasBody())) {
                // Answered without reading the whole body: the rest of it would be read as the next request, so the
                // connection ends here and the client does not reuse it (a reused one failed with "no bytes"; first
                // seen for 401 and 413, then for a 415 in a CI run).
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            send(problem.status(), Problem.MEDIA_TYPE, json.write(problem.toMap()));
        }

        private Problem problemFor(Throwable failure) {
            Throwable cause = unwrap(failure);
            if (cause instanceof ProblemException p) {
                return p.problem();
            }
            if (cause instanceof WireFormatException e) {
                return Problem.badRequest(e.getMessage());
            }
            if (cause instanceof ConsistencyException e) {
                Map<String, Object> extensions = new LinkedHashMap<>();
                extensions.put("consistency", e.policy());
                extensions.put("expected_partitions", e.coverage().expectedPartitions());
                extensions.put("responding_partitions", e.coverage().respondingPartitions());
                extensions.put("missing_partitions", json.toTree(e.coverage().missing()));
                return new Problem(
                        "urn:engram:problem:consistency-not-met",
                        "Consistency Not Met",
                        503,
                        e.getMessage(),
                        extensions);
            }
            if (cause instanceof IllegalArgumentException e) {
                return Problem.badRequest(String.valueOf(e.getMessage()));
            }
            if (cause instanceof TransportException e && e.isOverloaded()) {
                return overloaded(e.getMessage());
            }
            if (cause instanceof TransportException e) {
                return switch (e.reason()) {
                    case REJECTED -> Problem.badRequest(e.getMessage());
                    case TIMEOUT -> Problem.of(504, "Gateway Timeout", e.getMessage());
                    case UNREACHABLE -> Problem.of(409, "Conflict", e.getMessage());
                    case FAILED -> Problem.of(503, "Service Unavailable", e.getMessage());
                };
            }
            // only reading the body does I/O here: the client sent less than it announced, or went away
            if (cause instanceof IOException) {
                return Problem.badRequest("the request body could not be read: it ended before its Content-Length");
            }
            if (cause instanceof TimeoutException) {
                return Problem.of(504, "Gateway Timeout", "the query did not finish by its deadline");
            }
            if (cause instanceof CancellationException) {
                return Problem.of(503, "Service Unavailable", "the query was cancelled");
            }
            String errorId = UUID.randomUUID().toString();
            LOG.error(
                    "{} {} failed (error id {})",
                    request.getMethod(),
                    request.getHttpURI().getPath(),
                    errorId,
                    cause);
            return Problem.of(
                    500,
                    "Internal Server Error",
                    "the server failed to answer; its log has the details under error id " + errorId);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
