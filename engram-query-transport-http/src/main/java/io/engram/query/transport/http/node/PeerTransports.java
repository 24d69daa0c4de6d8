package io.engram.query.transport.http.node;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.resilience.NodeCallPolicy;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.Transport;
import io.engram.query.spi.TransportException;
import io.engram.query.transport.http.client.HttpTransport;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How this node calls each peer. With {@code transport.type = "tcp"}: over the tcp transport once the peer's tcp
 * address is known, from {@code cluster.nodes[].transport_url} or as the peer announced it in its
 * {@code /cluster/health} (read on demand: at most one lookup per peer at a time, and none sooner than
 * {@link #LOOKUP_INTERVAL} after the last); over HTTP until then, and for a peer that announces none (one configured
 * with {@code transport.type = "http"}, or an older build). A peer whose tcp connection can not be opened is looked up
 * again, so one that restarted on another port is found. With {@code transport.type = "http"}: always HTTP.
 */
final class PeerTransports implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(PeerTransports.class);
    static final Duration LOOKUP_INTERVAL = Duration.ofSeconds(1);
    static final String TCP = "tcp";
    static final String HTTP = "http";

    private final NodeConfig config;
    private final HttpTransport http;
    private volatile Optional<Transport> tcp = Optional.empty();
    private final LongSupplier nanoTime;
    private final ConcurrentMap<NodeId, URI> announced = new ConcurrentHashMap<>();
    /** When each peer was last looked up, in {@link #nanoTime}; present while a lookup may not start again. */
    private final ConcurrentMap<NodeId, Long> lookedUp = new ConcurrentHashMap<>();

    private final Counter overTcp;
    private final Counter overHttp;

    PeerTransports(NodeConfig config, HttpTransport http, MetricRegistry registry, LongSupplier nanoTime) {
        this.config = requireNonNull(config, "config is null");
        this.http = requireNonNull(http, "http is null");
        this.nanoTime = requireNonNull(nanoTime, "nano time is null");
        this.overTcp = registry.counter(QueryMetrics.labelled(QueryMetrics.PEER_EXCHANGES, "transport", TCP));
        this.overHttp = registry.counter(QueryMetrics.labelled(QueryMetrics.PEER_EXCHANGES, "transport", HTTP));
    }

    /** The tcp transport, once made (it reads this object's addresses, so it is made after it). */
    void useTcp(Transport transport) {
        this.tcp = Optional.of(requireNonNull(transport, "transport is null"));
    }

    /** Where {@code node}'s tcp transport listens, when known; starts a lookup when it is not. */
    Optional<URI> tcpAddressOf(NodeId node) {
        URI configured = config.transportUrls().get(node);
        if (configured != null) {
            return Optional.of(configured);
        }
        URI known = announced.get(node);
        if (known == null) {
            lookUp(node);
        }
        return Optional.ofNullable(known);
    }

    /**
     * {@code tcp} or {@code http}: how the next call to {@code node} goes, for {@code /cluster/health}. A peer whose
     * address is not known yet is looked up, so that a health check, like a call, finds a peer that started later.
     */
    String transportTo(NodeId node) {
        return tcp.isPresent() && tcpAddressOf(node).isPresent() ? TCP : HTTP;
    }

    /** Looks up every peer's tcp address at once (those not up yet are looked up again by a later call). */
    void lookUpPeers() {
        config.nodes().keySet().forEach(this::tcpAddressOf);
    }

    private void lookUp(NodeId node) {
        if (tcp.isEmpty() || node.equals(config.nodeId()) || !config.nodes().containsKey(node)) {
            return;
        }
        long now = nanoTime.getAsLong();
        Long last = lookedUp.get(node);
        if (last != null && now - last < LOOKUP_INTERVAL.toNanos()) {
            return;
        }
        boolean mine = last == null ? lookedUp.putIfAbsent(node, now) == null : lookedUp.replace(node, last, now);
        if (!mine) {
            return;
        }
        http.health(node, LOOKUP_INTERVAL).whenComplete((health, failure) -> {
            if (failure != null) {
                return; // the peer is down or busy: the next call asks again after the interval
            }
            announcedTcp(health)
                    .ifPresentOrElse(
                            address -> {
                                if (!address.equals(announced.put(node, address))) {
                                    LOG.info("node {} calls {} over tcp at {}", config.nodeId(), node, address);
                                }
                            },
                            () -> announced.remove(node));
        });
    }

    /** The {@code transport.listen} a node's health announces, when it is a tcp address. */
    static Optional<URI> announcedTcp(JsonNode health) {
        JsonNode transport = health.path("transport");
        if (!TCP.equals(transport.path("type").asText())
                || !transport.path("listen").isTextual()) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(transport.path("listen").asText());
            return TCP.equals(uri.getScheme()) && uri.getHost() != null && uri.getPort() > 0
                    ? Optional.of(uri)
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean batches() {
        return true;
    }

    @Override
    public CompletableFuture<PartialResult> execute(NodeId node, PartitionRequest request) {
        return route(node, transport -> transport.execute(node, request));
    }

    @Override
    public CompletableFuture<java.util.List<PartitionReply>> executeAll(NodeId node, NodeRequest request) {
        return route(node, transport -> transport.executeAll(node, request));
    }

    /** {@code call} over tcp when {@code node}'s tcp address is known, else over HTTP; counted by transport. */
    private <T> CompletableFuture<T> route(NodeId node, Function<Transport, CompletableFuture<T>> call) {
        Optional<URI> address = tcp.isPresent() ? tcpAddressOf(node) : Optional.empty();
        if (address.isEmpty()) {
            overHttp.inc();
            return call.apply(http);
        }
        overTcp.inc();
        return forgetWhenUnreachable(node, address.get(), call.apply(tcp.get()));
    }

    /** A learned address that could not be reached is looked up again by a later call (the peer may have moved). */
    private <T> CompletableFuture<T> forgetWhenUnreachable(NodeId node, URI address, CompletableFuture<T> call) {
        call.whenComplete((answer, failure) -> {
            if (failure != null
                    && NodeCallPolicy.unwrap(failure) instanceof TransportException e
                    && e.reason() == MissingReason.UNREACHABLE) {
                announced.remove(node, address);
            }
        });
        return call;
    }

    /** Closes the tcp transport, then the HTTP one, even when the first fails. */
    @Override
    public void close() {
        try {
            tcp.ifPresent(Transport::close);
        } finally {
            http.close();
        }
    }
}
