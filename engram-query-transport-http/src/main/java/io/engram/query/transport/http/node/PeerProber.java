package io.engram.query.transport.http.node;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import io.engram.query.planner.embedded.ObservedPartitionDetector;
import io.engram.query.spi.PartitionDetector;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Probes each peer's {@code GET /cluster/health} every {@code cluster.probe_interval_ms} and tells the embedded
 * partition detector, so a node that died is known before a query waits on it, and one that came back is used again
 * without a manual step. A host detector other than the embedded one is not probed.
 *
 * <p>It has its own small Jetty client (threads named {@value #THREAD_NAME}), started only when there is something to
 * probe and stopped by {@link #close}, so a node that stops leaves no probing thread behind.
 */
final class PeerProber implements AutoCloseable {
    static final String THREAD_NAME = "engram-probe";

    private final NodeConfig config;
    private final PartitionDetector detector;
    private final ScheduledExecutorService scheduler;
    private HttpClient client;
    private ScheduledFuture<?> task;

    PeerProber(NodeConfig config, PartitionDetector detector, ScheduledExecutorService scheduler) {
        this.config = requireNonNull(config, "config is null");
        this.detector = requireNonNull(detector, "detector is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
    }

    synchronized void start() {
        if (!(detector instanceof ObservedPartitionDetector) || config.nodes().size() < 2 || task != null) {
            return;
        }
        client = startClient(config);
        long interval = config.probeInterval().toMillis();
        task = scheduler.scheduleWithFixedDelay(this::probeAll, interval, interval, TimeUnit.MILLISECONDS);
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
        client.setConnectTimeout(config.probeInterval().toMillis());
        config.tls().ifPresent(tls -> tls.applyTo(connector, client));
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("could not start the peer prober's HTTP client: " + e.getMessage(), e);
        }
        return client;
    }

    private void probeAll() {
        ObservedPartitionDetector observed = (ObservedPartitionDetector) detector;
        for (Map.Entry<NodeId, URI> peer : config.nodes().entrySet()) {
            if (peer.getKey().equals(config.nodeId())) {
                continue;
            }
            try {
                client.newRequest(peer.getValue().resolve("/cluster/health"))
                        .timeout(config.probeInterval().toMillis(), TimeUnit.MILLISECONDS)
                        .send(result -> observed.recordProbe(
                                peer.getKey(),
                                result.isSucceeded() && result.getResponse().getStatus() == 200));
            } catch (RuntimeException e) {
                // The client is stopping (the node is closing) or refused the request: the peer is not confirmed.
                observed.recordProbe(peer.getKey(), false);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (task != null) {
            task.cancel(false);
        }
        if (client != null) {
            try {
                client.stop();
            } catch (Exception e) {
                // closing: nothing more to do
            }
        }
    }
}
