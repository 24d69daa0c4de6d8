package io.engram.query.benchmarks.executor;

import io.engram.query.api.Cue;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.QueryService;
import io.engram.query.api.RecallQuery;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.fault.Fault;
import io.engram.query.executor.fault.FaultInjectingTransport;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.spi.SpaceAssignment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The Tail-at-Scale setting (Dean and Barroso, CACM 2013): a query fans out to {@code fanout} spaces, each with two
 * copies (space {@code i} on node {@code i}, its replica on node {@code i+1}); every call takes a base latency of
 * {@link #BASE} ± {@link #JITTER} on a timer, and with probability {@link #STRAGGLER_PROBABILITY} it is answered
 * {@link #STRAGGLER_DELAY} later (a {@link Fault.RandomDelay} on every node). With hedging on, the coordinator hedges
 * to the replica after the first copy's node's observed 95th percentile (adaptive mode, no floor), under a budget of
 * 50% so that the budget never starves; with it off, a query waits for its slowest partition.
 */
final class TailAtScaleCluster implements AutoCloseable {
    static final Duration BASE = Duration.ofMillis(1);
    static final Duration JITTER = Duration.ofMillis(1).dividedBy(5);
    static final double STRAGGLER_PROBABILITY = 0.01;
    static final Duration STRAGGLER_DELAY = Duration.ofMillis(100);

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, "simulated-network");
        thread.setDaemon(true);
        return thread;
    });
    private final Coordinator coordinator;
    private final QueryService service;
    private final RecallQuery query;
    private final int nodes;

    /** @param hedge {@code off}, {@code p95} (adaptive) or {@code 10ms} (fixed, BigTable's setting in the paper) */
    TailAtScaleCluster(int fanout, String hedge) {
        if (fanout < 1) {
            throw new IllegalArgumentException("fanout must be >= 1, got " + fanout);
        }
        timer.setRemoveOnCancelPolicy(true);
        nodes = Math.max(2, fanout);
        List<SpaceAssignment> assignments = new ArrayList<>();
        List<MemorySpaceId> spaces = new ArrayList<>();
        for (int i = 1; i <= fanout; i++) {
            MemorySpaceId space = MemorySpaceId.of("s" + i);
            spaces.add(space);
            assignments.add(new SpaceAssignment(space, node(i, fanout), List.of(node(i + 1, fanout))));
        }
        FaultInjectingTransport transport =
                new FaultInjectingTransport(new SimulatedLatencyTransport(timer, BASE, JITTER), timer, 20130201L);
        for (int i = 1; i <= Math.max(2, fanout); i++) {
            transport.inject(node(i, fanout), new Fault.RandomDelay(STRAGGLER_PROBABILITY, STRAGGLER_DELAY));
        }
        coordinator = new Coordinator(config(fanout, hedge), assignments, transport);
        service = coordinator.service();
        query = RecallQuery.of(spaces, Cue.of("tail at scale"), 10);
    }

    /** Node {@code i} of {@code count} (at least two, so that every space has two distinct copies), wrapping. */
    private static NodeId node(int i, int fanout) {
        int count = Math.max(2, fanout);
        return NodeId.of("n" + (((i - 1) % count) + 1));
    }

    static QueryConfig config(int fanout, String hedge) {
        String mode = switch (hedge.toLowerCase(Locale.ROOT)) {
            case "off" -> "off";
            case "p95" -> "adaptive";
            case "10ms" -> "fixed";
            default -> throw new IllegalArgumentException("hedge must be off, p95 or 10ms, got '" + hedge + "'");
        };
        return QueryConfig.fromToml("""
                [query]
                scatter_timeout_ms = 5000
                max_fanout = %d

                [query.hedge]
                mode = "%s"
                percentile = 0.95
                delay_ms = %d
                min_delay_ms = 0
                max_delay_ms = 50
                budget_ratio = 0.5
                min_samples = 20
                """.formatted(Math.max(2, fanout * 2), mode, mode.equals("fixed") ? 10 : 2));
    }

    QueryService service() {
        return service;
    }

    RecallQuery query() {
        return query;
    }

    /** Partition requests sent so far, hedges included. */
    long partitionRequests() {
        return coordinator.metrics().count(QueryMetrics.PARTITION_REQUESTS);
    }

    /** Hedged requests sent so far. */
    long hedges() {
        return coordinator.metrics().count(QueryMetrics.HEDGES_SENT);
    }

    /**
     * The mean over the nodes of each node's observed 95th percentile of partition latency (what adaptive hedging
     * waits), in milliseconds; 0 before any call.
     */
    double meanObservedP95Millis() {
        double sum = 0;
        for (int i = 1; i <= nodes; i++) {
            sum += coordinator
                    .metrics()
                    .partitionLatency(node(i, nodes))
                    .getSnapshot()
                    .get95thPercentile();
        }
        return sum / nodes / 1e6;
    }

    @Override
    public void close() {
        coordinator.close();
        timer.shutdownNow();
    }
}
