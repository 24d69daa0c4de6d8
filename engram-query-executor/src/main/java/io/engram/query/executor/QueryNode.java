package io.engram.query.executor;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import io.engram.query.api.QueryService;
import io.engram.query.executor.local.LocalPartitionRunner;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.resilience.NodeCallPolicy;
import io.engram.query.planner.replica.ReplicaSelector;
import io.engram.query.spi.PartitionDetector;
import jakarta.inject.Inject;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * This node's query layer as {@link EngramQueryModule} wires it, and the owner of what the module starts: the host
 * gets it from the injector, uses {@link #queryService()}, and closes it when it stops.
 *
 * <p>Who starts a resource closes it. The module starts {@link QueryThreads} (the compute pool and the scheduler), so
 * {@link #close()} stops them. What the host binds (its engine, directory, detector, metric registry and above all its
 * {@code Transport}) the host made, and the host closes; a transport is shared with whatever else the host runs over
 * it, and the module never creates one. This is {@code QueryService} closing nothing: the service is handed to every
 * caller (an HTTP handler, a CLI), and a caller that closed it would stop the node under the others.
 */
public final class QueryNode implements AutoCloseable {
    private final QueryService queryService;
    private final LocalPartitionRunner localPartitions;
    private final PartitionDetector detector;
    private final QueryThreads threads;
    private final NodeCallPolicy callPolicy;
    private final ReplicaSelector replicaSelector;
    private final QueryMetrics metrics;
    private final AtomicBoolean closed = new AtomicBoolean();

    @Inject
    QueryNode(
            QueryService queryService,
            LocalPartitionRunner localPartitions,
            PartitionDetector detector,
            QueryThreads threads,
            NodeCallPolicy callPolicy,
            ReplicaSelector replicaSelector,
            QueryMetrics metrics) {
        this.queryService = requireNonNull(queryService, "queryService is null");
        this.localPartitions = requireNonNull(localPartitions, "localPartitions is null");
        this.detector = requireNonNull(detector, "detector is null");
        this.threads = requireNonNull(threads, "threads is null");
        this.callPolicy = requireNonNull(callPolicy, "callPolicy is null");
        this.replicaSelector = requireNonNull(replicaSelector, "replicaSelector is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    /** Runs queries with this node as coordinator. */
    public QueryService queryService() {
        return queryService;
    }

    /** Runs the partitions other coordinators ask this node for, on the compute pool this node owns. */
    public LocalPartitionRunner localPartitions() {
        return localPartitions;
    }

    /** The partition detector the planner and the executor use: the host's, or the one fed by call outcomes. */
    public PartitionDetector partitionDetector() {
        return detector;
    }

    /** The scheduler for a host's periodic task that must stop with this node (a peer prober). */
    public ScheduledExecutorService scheduler() {
        return threads.scheduler();
    }

    /** What this node's calls to {@code node} have shown, for a health report. */
    public PeerCalls peerCalls(NodeId node) {
        requireNonNull(node, "node is null");
        return new PeerCalls(callPolicy.state(node), replicaSelector.score(node));
    }

    /** The counts and latencies of the queries this node coordinated, for a health report or statistics. */
    public QueryMetrics metrics() {
        return metrics;
    }

    /**
     * What a node's calls to one peer have shown.
     *
     * @param breaker its circuit breaker's state: {@code closed}, {@code half-open} or {@code open}
     * @param latencyScoreMs the latency score replica selection ranks it by, in milliseconds
     */
    public record PeerCalls(String breaker, double latencyScoreMs) {
        public PeerCalls {
            requireNonNull(breaker, "breaker is null");
        }
    }

    /**
     * Stops the threads the module started: they are interrupted and end as soon as their task notices (this does not
     * wait for them). Stop sending queries first, as {@code EngramNode} stops its server first: a query still running
     * may then never complete, its timers gone. Closing again does nothing.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            threads.close();
        }
    }
}
