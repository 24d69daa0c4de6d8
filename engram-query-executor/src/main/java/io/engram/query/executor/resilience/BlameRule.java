package io.engram.query.executor.resilience;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import io.engram.query.api.Ticker;
import io.engram.query.executor.config.QueryConfig.DetectorConfig;
import io.engram.query.executor.metrics.QueryMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a call cut short by its query's deadline (or by a timeout the transport set from it) says anything about
 * the node. A caller that asks for 1 ms must not make a healthy node look dead: the call counts against its node only
 * when it had run at least {@code max(slow_call_ms, slow_call_multiple × p99)}, where p99 is the 99th percentile of
 * that node's observed partition latency. A query whose whole budget was smaller than that blames no one, and a
 * deadline that passed before the call was sent never does. A node that really hangs still runs past the threshold
 * on the first query with an ordinary deadline, and is blamed then.
 *
 * <p>The percentile needs a snapshot of the node's latency reservoir, so each node's threshold is reused for {@link
 * #REFRESH} before it is read again (as {@code HedgeDelay} does).
 */
public final class BlameRule {
    static final Duration REFRESH = Duration.ofMillis(100);
    private static final double PERCENTILE = 0.99;
    /** Samples of a node before its percentile is trusted; below that the floor alone applies. */
    private static final int MIN_SAMPLES = 20;

    private final long floorNanos;
    private final double multiple;
    private final QueryMetrics metrics;
    private final Ticker ticker;
    private final Map<NodeId, Cached> thresholds = new ConcurrentHashMap<>();

    public BlameRule(DetectorConfig config, QueryMetrics metrics, Ticker ticker) {
        requireNonNull(config, "config is null");
        this.floorNanos = config.slowCallFloor().toNanos();
        this.multiple = config.slowCallMultiple();
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
    }

    /** Whether a call to {@code node} that was cut short after running {@code elapsedNanos} counts against it. */
    public boolean blames(NodeId node, long elapsedNanos) {
        boolean blamed = elapsedNanos >= thresholdNanos(node);
        metrics.callCutShort(blamed);
        return blamed;
    }

    /** How long a call to {@code node} must have run before being cut short counts against it. */
    public long thresholdNanos(NodeId node) {
        requireNonNull(node, "node is null");
        long now = ticker.nanoTime();
        Cached cached = thresholds.get(node);
        if (cached != null && now - cached.computedAt() < REFRESH.toNanos()) {
            return cached.nanos();
        }
        var timer = metrics.partitionLatency(node);
        long threshold = floorNanos;
        if (timer.getCount() >= MIN_SAMPLES) {
            double p99 = timer.getSnapshot().getValue(PERCENTILE);
            threshold = Math.max(floorNanos, (long) Math.min(Long.MAX_VALUE / 2.0, multiple * p99));
        }
        thresholds.put(node, new Cached(threshold, now));
        return threshold;
    }

    private record Cached(long nanos, long computedAt) {}
}
