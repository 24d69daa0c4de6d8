package io.engram.query.executor.hedging;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.Snapshot;
import io.engram.query.api.NodeId;
import io.engram.query.executor.config.QueryConfig.HedgeConfig;
import io.engram.query.executor.metrics.QueryMetrics;
import java.time.Duration;
import java.util.Optional;

/**
 * How long to wait for a copy before hedging to the next: fixed, or a percentile of that node's observed partition
 * latency clamped to a floor and a ceiling (Cassandra's {@code MIN(99PERCENTILE, 35ms)} in spirit).
 */
public final class HedgeDelay {
    private final HedgeConfig config;
    private final QueryMetrics metrics;

    public HedgeDelay(HedgeConfig config, QueryMetrics metrics) {
        this.config = requireNonNull(config, "config is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    /** The delay before hedging a call to {@code node}, or empty when hedging is off. */
    public Optional<Duration> forNode(NodeId node) {
        return switch (config.mode()) {
            case OFF -> Optional.empty();
            case FIXED -> Optional.of(config.fixedDelay());
            case ADAPTIVE -> Optional.of(adaptive(node));
        };
    }

    private Duration adaptive(NodeId node) {
        var timer = metrics.partitionLatency(node);
        if (timer.getCount() < config.minSamples()) {
            return clamp(config.fixedDelay());
        }
        Snapshot snapshot = timer.getSnapshot();
        return clamp(Duration.ofNanos((long) snapshot.getValue(config.percentile())));
    }

    private Duration clamp(Duration d) {
        if (d.compareTo(config.minDelay()) < 0) {
            return config.minDelay();
        }
        return d.compareTo(config.maxDelay()) > 0 ? config.maxDelay() : d;
    }
}
