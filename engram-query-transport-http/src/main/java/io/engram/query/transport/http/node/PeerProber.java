package io.engram.query.transport.http.node;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import io.engram.query.planner.embedded.ObservedPartitionDetector;
import io.engram.query.spi.PartitionDetector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Probes each peer's {@code GET /cluster/health} every {@code cluster.probe_interval_ms} and tells the embedded
 * partition detector, so a node that died is known before a query waits on it, and one that came back is used again
 * without a manual step. A host detector other than the embedded one is not probed.
 */
final class PeerProber implements AutoCloseable {
    private final NodeConfig config;
    private final PartitionDetector detector;
    private final ScheduledExecutorService scheduler;
    private final HttpClient client;
    private ScheduledFuture<?> task;

    PeerProber(NodeConfig config, PartitionDetector detector, ScheduledExecutorService scheduler) {
        this.config = requireNonNull(config, "config is null");
        this.detector = requireNonNull(detector, "detector is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.client = HttpClient.newBuilder()
                .connectTimeout(config.probeInterval())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    void start() {
        if (!(detector instanceof ObservedPartitionDetector) || config.nodes().size() < 2) {
            return;
        }
        long interval = config.probeInterval().toMillis();
        task = scheduler.scheduleWithFixedDelay(this::probeAll, interval, interval, TimeUnit.MILLISECONDS);
    }

    private void probeAll() {
        ObservedPartitionDetector observed = (ObservedPartitionDetector) detector;
        for (Map.Entry<NodeId, URI> peer : config.nodes().entrySet()) {
            if (peer.getKey().equals(config.nodeId())) {
                continue;
            }
            HttpRequest request = HttpRequest.newBuilder(peer.getValue().resolve("/cluster/health"))
                    .timeout(config.probeInterval())
                    .GET()
                    .build();
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, failure) ->
                            observed.recordProbe(peer.getKey(), failure == null && response.statusCode() == 200));
        }
    }

    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
    }
}
