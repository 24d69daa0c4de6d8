package io.engram.query.transport.http.node;

import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PlanStrategy;
import io.engram.query.executor.QueryNode;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.plugin.PluginDescription;
import io.engram.query.spi.ClusterState;
import io.engram.query.spi.PartitionDetector;
import io.engram.query.transport.http.server.HealthReporter;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code GET /cluster/health}: this node's view of the cluster and its query statistics. */
final class ClusterHealth implements HealthReporter {
    private final NodeConfig config;
    private final Set<MemorySpaceId> held;
    private final List<PluginDescription> plugins;
    private final PartitionDetector detector;
    private final QueryNode queryNode;
    private final QueryMetrics metrics;
    private final PeerTransports transports;
    private final Optional<URI> transportListen;
    private final PeerMembership membership;

    ClusterHealth(
            NodeConfig config,
            Set<MemorySpaceId> held,
            List<PluginDescription> plugins,
            QueryNode queryNode,
            PeerTransports transports,
            Optional<URI> transportListen,
            PeerMembership membership) {
        this.config = config;
        this.held = held;
        this.plugins = List.copyOf(plugins);
        this.detector = queryNode.partitionDetector();
        this.queryNode = queryNode;
        this.metrics = queryNode.metrics();
        this.transports = transports;
        this.transportListen = transportListen;
        this.membership = membership;
    }

    @Override
    public Map<String, Object> health() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("node_id", config.nodeId().value());
        ClusterState state = detector.state();
        int reachable = 0;
        List<Map<String, Object>> peers = new ArrayList<>();
        for (NodeId node : config.nodes().keySet()) {
            boolean up = detector.isReachable(node);
            if (up) {
                reachable++;
            }
            if (node.equals(config.nodeId())) {
                continue;
            }
            Map<String, Object> peer = new LinkedHashMap<>();
            peer.put("node", node.value());
            peer.put("url", config.nodes().get(node).toString());
            peer.put("reachable", up);
            io.engram.query.planner.membership.Gossip view = membership.view(node);
            if (view != null) {
                peer.put("membership", view.state().wireName());
                peer.put("incarnation", view.incarnation());
            }
            peer.put("transport", transports.transportTo(node));
            QueryNode.PeerCalls calls = queryNode.peerCalls(node);
            peer.put("breaker", calls.breaker());
            peer.put("latency_score_ms", round(calls.latencyScoreMs()));
            peers.add(peer);
        }
        out.put("status", state == ClusterState.CONNECTED ? "ok" : "degraded");
        Map<String, Object> partition = new LinkedHashMap<>();
        partition.put("state", state.name().toLowerCase(Locale.ROOT));
        partition.put("reachable_nodes", reachable);
        partition.put("total_nodes", config.nodes().size());
        out.put("partition", partition);
        // peers learn from here where this node's tcp transport listens
        Map<String, Object> transport = new LinkedHashMap<>();
        transport.put("type", config.transportType());
        transportListen.ifPresent(address -> transport.put("listen", address.toString()));
        out.put("transport", transport);
        out.put("membership", membership.health());
        out.put("spaces", held.stream().map(MemorySpaceId::value).toList());
        out.put("peers", peers);
        out.put("plugins", plugins.stream().map(ClusterHealth::plugin).toList());
        out.put("query", queryStats());
        return out;
    }

    private static Map<String, Object> plugin(PluginDescription plugin) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("plugin", plugin.plugin());
        out.put("source", plugin.source());
        out.put("merge_policies", plugin.mergePolicies());
        out.put("consistency_policies", plugin.consistencyPolicies());
        out.put("planning_strategies", plugin.planningStrategies());
        out.put("transports", plugin.transports());
        return out;
    }

    private Map<String, Object> queryStats() {
        Map<String, Object> stats = new LinkedHashMap<>();
        Map<String, Object> scatter = new LinkedHashMap<>();
        Map<String, Object> latency = new LinkedHashMap<>();
        for (PlanStrategy strategy : PlanStrategy.values()) {
            String label = QueryMetrics.label(strategy);
            scatter.put(label, metrics.scatterCount(strategy));
            Timer timer = metrics.latency(strategy);
            Snapshot snapshot = timer.getSnapshot();
            Map<String, Object> quantiles = new LinkedHashMap<>();
            quantiles.put("count", timer.getCount());
            quantiles.put("p50_ms", millis(snapshot.getMedian()));
            quantiles.put("p95_ms", millis(snapshot.get95thPercentile()));
            quantiles.put("p99_ms", millis(snapshot.get99thPercentile()));
            latency.put(label, quantiles);
        }
        stats.put("scatter_count", scatter);
        stats.put("partial_timeouts", metrics.count(QueryMetrics.PARTIAL_TIMEOUTS));
        stats.put("missing_partitions", metrics.count(QueryMetrics.MISSING_PARTITIONS));
        stats.put("latency", latency);
        stats.put("retries", metrics.count(QueryMetrics.RETRIES));
        stats.put("hedges_sent", metrics.count(QueryMetrics.HEDGES_SENT));
        stats.put("hedges_won", metrics.count(QueryMetrics.HEDGES_WON));
        stats.put("failovers", metrics.count(QueryMetrics.FAILOVERS));
        stats.put("in_flight", metrics.inFlight());
        return stats;
    }

    private static double millis(double nanos) {
        return round(nanos / 1_000_000.0);
    }

    private static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }
}
