package io.engram.query.executor.resilience;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import io.engram.query.api.Ticker;
import io.engram.query.executor.config.QueryConfig.DetectorConfig;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.metrics.RefreshedPerNode;
import java.time.Duration;

/**
 * Whether a call cut short by its query's deadline (or by a timeout the transport set from it) says anything about
 * the node. A caller that asks for 1 ms must not make a healthy node look dead: the call counts against its node only
 * when it had run at least {@code max(slow_call_ms, slow_call_multiple × p99)}, where p99 is the 99th percentile of
 * that node's observed partition latency. A query whose whole budget was smaller than that blames no one, and a
 * deadline that passed before the call was sent never does. A node that really hangs still runs past the threshold
 * on the first query with an ordinary deadline, and is blamed then.
 *
 * <p>Each node's threshold is reused for {@link #REFRESH} before its percentile is read again ({@link
 * RefreshedPerNode}, as the adaptive hedge delay does).
 */
public final class BlameRule {
    static final Duration REFRESH = Duration.ofMillis(100);
    private static final double PERCENTILE = 0.99;
    /** Samples of a node before its percentile is trusted; below that the floor alone applies. */
    private static final int MIN_SAMPLES = 20;

    private final long floorNanos;
    private final double multiple;
    private final QueryMetrics metrics;
    private final RefreshedPerNode<Long> thresholds;

    public BlameRule(DetectorConfig config, QueryMetrics metrics, Ticker ticker) {
        requireNonNull(config, "config is null");
        this.floorNanos = config.slowCallFloor().toNanos();
        this.multiple = config.slowCallMultiple();
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.thresholds = new RefreshedPerNode<>(requireNonNull(ticker, "ticker is null"), REFRESH, this::threshold);
    }

    /** Whether a call to {@code node} that was cut short after running {@code elapsedNanos} counts against it. */
    public boolean blames(NodeId node, long elapsedNanos) {
        boolean blamed = elapsedNanos >= thresholdNanos(node);
        metrics.callCutShort(blamed);
        return blamed;
    }

    /** How long a call to {@code node} must have run before being cut short counts against it. */
    public long thresholdNanos(NodeId node) {
        return thresholds.get(node);
    }

    private long threshold(NodeId node) {
        var timer = metrics.partitionLatency(node);
        if (timer.getCount() < MIN_SAMPLES) {
            return floorNanos;
        }
        double p99 = timer.getSnapshot().getValue(PERCENTILE);
        return Math.max(floorNanos, (long) Math.min(Long.MAX_VALUE / 2.0, multiple * p99));
    }
}
