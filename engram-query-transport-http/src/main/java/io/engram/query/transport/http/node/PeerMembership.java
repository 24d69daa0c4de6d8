package io.engram.query.transport.http.node;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import io.engram.query.api.Ticker;
import io.engram.query.planner.embedded.ObservedPartitionDetector;
import io.engram.query.planner.membership.Ack;
import io.engram.query.planner.membership.Gossip;
import io.engram.query.planner.membership.MembershipConfig;
import io.engram.query.planner.membership.MembershipListener;
import io.engram.query.planner.membership.MembershipNetwork;
import io.engram.query.planner.membership.Ping;
import io.engram.query.planner.membership.PingRequest;
import io.engram.query.planner.membership.Probe;
import io.engram.query.planner.membership.SwimMembership;
import io.engram.query.planner.membership.TrafficEvidence;
import io.engram.query.spi.PartitionDetector;
import io.engram.query.transport.http.json.WireFormat;
import io.engram.query.transport.http.json.WireFormatException;
import io.engram.query.transport.http.json.WireLimits;
import io.engram.query.transport.http.server.MembershipEndpoint;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Follows the peers' health with {@link SwimMembership} over {@code POST /internal/v1/membership}, and tells the
 * embedded partition detector: a peer declared dead is unreachable at once, one that answers is reachable again.
 * Each node sends one probe per {@code cluster.probe_interval_ms} whatever the cluster's size (all-to-all probing
 * cost n² messages); a peer that just answered a query is not probed.
 *
 * <p>It always answers peers' messages; it probes only for the embedded detector (a host's detector does its own
 * following). Its small Jetty client (threads named {@value #THREAD_NAME}) starts only when there are peers and is
 * stopped by {@link #close}, so a node that stops leaves no probing thread behind.
 */
final class PeerMembership implements AutoCloseable {
    static final String THREAD_NAME = "engram-probe";
    static final String PATH = "/internal/v1/membership";
    /** The largest answer read: a message carries at most a few hundred bytes per piece of news. */
    private static final int MAX_ANSWER_BYTES = 256 << 10;
    /** More news than any cluster this node can be configured with could need in one message. */
    static final int MAX_GOSSIP = 1024;
    /** The messages in JSON (through the wire format's mapper and its errors), held to a message's size and shape. */
    private static final WireFormat MESSAGES =
            WireFormat.json(new WireLimits(MAX_ANSWER_BYTES, 8, 1024, MAX_GOSSIP, Optional.empty()));

    private final NodeConfig config;
    private final Optional<ObservedPartitionDetector> detector;
    private final ScheduledExecutorService scheduler;
    private final SwimMembership swim;
    private final Optional<String> authorization;
    /** Read without the lock by the client's own callbacks: close() must not hold the lock while the client stops. */
    private volatile HttpClient client;

    private ScheduledFuture<?> task;
    private volatile boolean closed;

    PeerMembership(NodeConfig config, PartitionDetector detector, ScheduledExecutorService scheduler) {
        this.config = requireNonNull(config, "config is null");
        this.detector =
                detector instanceof ObservedPartitionDetector observed ? Optional.of(observed) : Optional.empty();
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.authorization = config.clusterToken().map(t -> "Bearer " + t);
        MembershipListener listener = this.detector
                .<MembershipListener>map(d -> new MembershipListener() {
                    @Override
                    public void alive(NodeId node) {
                        if (!d.isReachable(node)) {
                            d.recordMembership(node, true);
                        }
                    }

                    @Override
                    public void dead(NodeId node) {
                        d.recordMembership(node, false);
                    }
                })
                .orElse(MembershipListener.NONE);
        TrafficEvidence evidence =
                this.detector.<TrafficEvidence>map(d -> d::answeredSince).orElse(TrafficEvidence.NONE);
        this.swim = new SwimMembership(
                new ArrayList<>(config.nodes().keySet()),
                config.nodeId(),
                config.membership(),
                new HttpNetwork(),
                listener,
                evidence,
                Ticker.system(),
                new Random());
    }

    synchronized void start() {
        if (config.nodes().size() < 2 || client != null) {
            return;
        }
        client = startClient(config);
        if (detector.isPresent()) {
            long interval = config.membership().interval().toMillis();
            task = scheduler.scheduleWithFixedDelay(this::runPeriod, interval, interval, TimeUnit.MILLISECONDS);
        }
    }

    private void runPeriod() {
        try {
            swim.runPeriod();
        } catch (RuntimeException e) {
            // a period that failed (the client stopping as the node closes) must not end the schedule
            if (!closed) {
                org.slf4j.LoggerFactory.getLogger(PeerMembership.class)
                        .warn("node {}: a membership period failed: {}", config.nodeId(), e.toString());
            }
        }
    }

    /** Answers the peers' messages. */
    MembershipEndpoint endpoint() {
        return body -> {
            Probe probe = MESSAGES.readProbe(body);
            if (probe instanceof PingRequest request) {
                return swim.onPingRequest(request).thenApply(MESSAGES::write);
            }
            return CompletableFuture.completedFuture(MESSAGES.write(swim.onPing((Ping) probe)));
        };
    }

    /** For {@code /cluster/health}: the protocol, its timing and counts, and what it believes of each peer. */
    Map<String, Object> health() {
        MembershipConfig c = config.membership();
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("protocol", "swim");
        h.put("probing", task != null);
        h.put("probe_interval_ms", c.interval().toMillis());
        h.put("probe_timeout_ms", c.probeTimeout().toMillis());
        h.put("indirect_probes", c.indirectProbes());
        h.put("suspicion_timeout_ms", c.suspicionTimeout().toMillis());
        h.put("incarnation", swim.incarnation());
        h.put("requests_sent", swim.requestsSent());
        h.put("requests_received", swim.requestsReceived());
        h.put("probes_skipped", swim.probesSkipped());
        return h;
    }

    /** What the protocol believes of {@code node}, for each peer's entry in health. */
    Gossip view(NodeId node) {
        return swim.view().get(node);
    }

    private static HttpClient startClient(NodeConfig config) {
        QueuedThreadPool threads = new QueuedThreadPool(8, 1);
        threads.setName(THREAD_NAME);
        threads.setDaemon(true);
        ClientConnector connector = new ClientConnector();
        connector.setExecutor(threads);
        connector.setSelectors(1);
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        client.setExecutor(threads);
        client.setFollowRedirects(false);
        client.setConnectTimeout(config.membership().interval().toMillis());
        config.tls().ifPresent(tls -> tls.applyTo(connector, client));
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the peer membership's HTTP client: " + e.getMessage(), e);
        }
        return client;
    }

    /**
     * Stops probing and the client. The client is stopped outside this object's lock: stopping waits for its selector
     * thread, which may be running a callback that sends the next message (a deadlock, seen in CI, when it held it).
     */
    @Override
    public void close() {
        HttpClient stopping;
        synchronized (this) {
            closed = true;
            if (task != null) {
                task.cancel(false);
            }
            stopping = client;
        }
        if (stopping != null) {
            try {
                stopping.stop();
            } catch (Exception e) {
                // closing: nothing more to do
            }
        }
    }

    /** Messages as HTTP requests to each peer's configured URL; each answered, refused or timed out. */
    private final class HttpNetwork implements MembershipNetwork {
        @Override
        public CompletableFuture<Ack> ping(NodeId target, Ping ping, Duration timeout) {
            return send(target, MESSAGES.writeProbe(ping), timeout);
        }

        @Override
        public CompletableFuture<Ack> pingRequest(NodeId via, PingRequest request, Duration timeout) {
            return send(via, MESSAGES.writeProbe(request), timeout);
        }

        private CompletableFuture<Ack> send(NodeId to, byte[] body, Duration timeout) {
            CompletableFuture<Ack> result = new CompletableFuture<>();
            URI base = config.nodes().get(to);
            HttpClient http = client;
            if (base == null || http == null || closed) {
                result.completeExceptionally(new IllegalStateException("no membership client for node " + to));
                return result;
            }
            try {
                http.newRequest(base.resolve(PATH))
                        .method(HttpMethod.POST)
                        .headers(h -> authorization.ifPresent(a -> h.put(HttpHeader.AUTHORIZATION, a)))
                        .body(new BytesRequestContent("application/json", body))
                        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .send(new BufferingResponseListener(MAX_ANSWER_BYTES) {
                            @Override
                            public void onComplete(Result outcome) {
                                if (outcome.isFailed()) {
                                    result.completeExceptionally(outcome.getFailure());
                                } else if (outcome.getResponse().getStatus() != 200) {
                                    result.completeExceptionally(new IllegalStateException("node " + to
                                            + " answered the membership message with "
                                            + outcome.getResponse().getStatus()));
                                } else {
                                    try {
                                        result.complete(MESSAGES.readAck(getContent()));
                                    } catch (WireFormatException e) {
                                        result.completeExceptionally(e);
                                    }
                                }
                            }
                        });
            } catch (RuntimeException e) {
                // the client is stopping (the node is closing)
                result.completeExceptionally(e);
            }
            return result;
        }
    }
}
