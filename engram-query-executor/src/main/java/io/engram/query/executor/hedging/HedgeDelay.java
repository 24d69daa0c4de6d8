package io.engram.query.executor.hedging;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import io.engram.query.api.Ticker;
import io.engram.query.executor.config.QueryConfig.HedgeConfig;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.metrics.RefreshedPerNode;
import java.time.Duration;
import java.util.Optional;

/**
 * How long to wait for a copy before hedging to the next: fixed, or a percentile of that node's observed partition
 * latency clamped to a floor and a ceiling (Cassandra's {@code MIN(99PERCENTILE, 35ms)} in spirit).
 *
 * <p>A percentile needs a snapshot of the node's latency reservoir, which copies and sorts its samples: tens of
 * microseconds, too much to pay on every call (with a fan-out of 100 it was most of the coordinator's CPU and delayed
 * the calls' start). The adaptive delay of a node is therefore recomputed at most every {@link #REFRESH}.
 */
public final class HedgeDelay {
    /** How long an adaptive delay is reused before the node's latency percentile is read again. */
    public static final Duration REFRESH = Duration.ofMillis(100);

    private final HedgeConfig config;
    private final QueryMetrics metrics;
    private final RefreshedPerNode<Duration> adaptive;

    /** @param ticker the clock of the {@link #REFRESH} cache */
    public HedgeDelay(HedgeConfig config, QueryMetrics metrics, Ticker ticker) {
        this.config = requireNonNull(config, "config is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.adaptive = new RefreshedPerNode<>(requireNonNull(ticker, "ticker is null"), REFRESH, this::adaptive);
    }

    /** The delay before hedging a call to {@code node}, or empty when hedging is off. */
    public Optional<Duration> forNode(NodeId node) {
        return switch (config.mode()) {
            case OFF -> Optional.empty();
            case FIXED -> Optional.of(config.fixedDelay());
            case ADAPTIVE -> Optional.of(adaptive.get(node));
        };
    }

    private Duration adaptive(NodeId node) {
        var timer = metrics.partitionLatency(node);
        return timer.getCount() < config.minSamples()
                ? clamp(config.fixedDelay())
                : clamp(Duration.ofNanos((long) timer.getSnapshot().getValue(config.percentile())));
    }

    private Duration clamp(Duration d) {
        if (d.compareTo(config.minDelay()) < 0) {
            return config.minDelay();
        }
        return d.compareTo(config.maxDelay()) > 0 ? config.maxDelay() : d;
    }
}
