package io.engram.query.benchmarks.executor;

import io.engram.query.api.Cue;
import io.engram.query.api.Embedding;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.QueryService;
import io.engram.query.api.RecallQuery;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.planner.QueryPlanner;
import io.engram.query.spi.SpaceAssignment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster of {@code nodes} simulated nodes holding {@code spacesPerNode} spaces each (replication factor 1, node
 * {@code i} holding spaces {@code i·spacesPerNode} onwards), and a coordinator holding none, wired as a host wires it
 * ({@link Coordinator}), calling them through {@link SimulatedNodesTransport}: one request per node per query, answered
 * after {@link #BASE} ± {@link #JITTER}. The query is a broadcast recall (no space named) with a 32-float cue, top
 * {@link #LIMIT}; each space offers {@link #LIMIT} matches and each node reduces its answer to the best {@link #LIMIT}.
 *
 * <p>Coordinator settings: hedging off (there is no replica to hedge to), {@code query.max_fanout} at its most
 * (10,000 partitions in flight; the default 64 would send a broadcast over more than 64 spaces in waves),
 * {@code query.max_result_matches} at {@link #MAX_RESULT_MATCHES}, a 30 s deadline; everything else the defaults.
 */
final class ScaleCluster implements AutoCloseable {
    static final Duration BASE = Duration.ofMillis(1);
    static final Duration JITTER = Duration.ofMillis(1).dividedBy(5);
    static final int LIMIT = 10;
    static final int DIMENSIONS = 32;
    /** {@code query.max_fanout}'s upper bound. */
    static final int MAX_FANOUT = 10_000;
    /**
     * {@code query.max_result_matches}: the default (100,000) refuses a broadcast over more than 10,000 spaces at limit
     * 10, since the executor bounds spaces × limit, not what the nodes' reduce lets through (nodes × limit).
     */
    static final int MAX_RESULT_MATCHES = 1_000_000;

    private final int nodes;
    private final int spacesPerNode;
    private final SimulatedNodesTransport transport;
    private final Coordinator coordinator;
    private final QueryService service;
    private final RecallQuery broadcast;
    private final NodeId lastNode;

    ScaleCluster(int nodes, int spacesPerNode) {
        if (nodes < 1 || spacesPerNode < 1) {
            throw new IllegalArgumentException(
                    "nodes and spaces per node must be >= 1, got " + nodes + " and " + spacesPerNode);
        }
        this.nodes = nodes;
        this.spacesPerNode = spacesPerNode;
        Map<NodeId, List<MemorySpaceId>> placement = new LinkedHashMap<>();
        List<SpaceAssignment> assignments = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
            NodeId node = NodeId.of("n" + (n + 1));
            List<MemorySpaceId> held = new ArrayList<>(spacesPerNode);
            for (int s = 0; s < spacesPerNode; s++) {
                MemorySpaceId space = MemorySpaceId.of("s" + (n * spacesPerNode + s + 1));
                held.add(space);
                assignments.add(new SpaceAssignment(space, node, List.of()));
            }
            placement.put(node, held);
        }
        lastNode = NodeId.of("n" + nodes);
        transport = new SimulatedNodesTransport(placement, LIMIT, BASE, JITTER);
        coordinator = new Coordinator(config(), assignments, transport);
        service = coordinator.service();
        float[] cue = new float[DIMENSIONS];
        for (int i = 0; i < cue.length; i++) {
            cue[i] = (float) Math.sin(i + 1);
        }
        broadcast = RecallQuery.of(List.of(), Cue.of(Embedding.of(cue)), LIMIT);
    }

    static QueryConfig config() {
        return QueryConfig.fromToml("""
                [query]
                scatter_timeout_ms = 30000
                max_fanout = %d
                max_result_matches = %d

                [query.hedge]
                mode = "off"
                """.formatted(MAX_FANOUT, MAX_RESULT_MATCHES));
    }

    int nodes() {
        return nodes;
    }

    int spacesPerNode() {
        return spacesPerNode;
    }

    int spaces() {
        return nodes * spacesPerNode;
    }

    QueryService service() {
        return service;
    }

    RecallQuery broadcast() {
        return broadcast;
    }

    QueryPlanner planner() {
        return coordinator.planner();
    }

    SimulatedNodesTransport transport() {
        return transport;
    }

    /** The node {@link #transport()} can hold to keep queries in flight. */
    NodeId lastNode() {
        return lastNode;
    }

    /** A counter of the coordinator's metrics ({@link QueryMetrics#NODE_REQUESTS}, ...). */
    long count(String metric) {
        return coordinator.metrics().count(metric);
    }

    @Override
    public void close() {
        coordinator.close();
        transport.close();
    }
}
