package io.engram.query.executor.metrics;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import io.engram.query.api.Ticker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A value per node, computed again at most every {@code refresh}. A latency percentile needs a snapshot of the node's
 * reservoir, which copies and sorts its samples: tens of microseconds, too much to pay on every call (with a fan-out
 * of 100 it was most of the coordinator's CPU). Thread-safe; two threads may compute the same value at once.
 */
public final class RefreshedPerNode<T> {
    private final Ticker ticker;
    private final long refreshNanos;
    private final Function<NodeId, T> compute;
    private final Map<NodeId, Cached<T>> values = new ConcurrentHashMap<>();

    public RefreshedPerNode(Ticker ticker, Duration refresh, Function<NodeId, T> compute) {
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.refreshNanos = requireNonNull(refresh, "refresh is null").toNanos();
        this.compute = requireNonNull(compute, "compute is null");
    }

    /** The node's value, computed now when it never was or was computed {@code refresh} ago or longer. */
    public T get(NodeId node) {
        requireNonNull(node, "node is null");
        long now = ticker.nanoTime();
        Cached<T> cached = values.get(node);
        if (cached != null && now - cached.computedAt() < refreshNanos) {
            return cached.value();
        }
        T value = compute.apply(node);
        values.put(node, new Cached<>(value, now));
        return value;
    }

    private record Cached<T>(T value, long computedAt) {}
}
