package io.engram.query.executor.hedging;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Ticker;
import java.time.Duration;

/**
 * Caps hedged requests at a share of all partition requests over a sliding window (Finagle's and Envoy's budgets):
 * a hedge is allowed while {@code hedges + 1 <= ratio × requests} over the last window. The window is kept as ten
 * buckets, so it slides in tenths.
 */
public final class HedgeBudget {
    private static final int BUCKETS = 10;

    private final double ratio;
    private final long bucketNanos;
    private final Ticker ticker;
    private final long[] requests = new long[BUCKETS];
    private final long[] hedges = new long[BUCKETS];
    private final long[] epochs = new long[BUCKETS];

    public HedgeBudget(double ratio, Duration window, Ticker ticker) {
        if (!(ratio >= 0.0 && ratio <= 1.0)) {
            throw new IllegalArgumentException("hedge budget ratio must be in [0, 1], got " + ratio);
        }
        requireNonNull(window, "window is null");
        if (window.toNanos() < BUCKETS) {
            throw new IllegalArgumentException("hedge budget window must be positive, got " + window);
        }
        this.ratio = ratio;
        this.bucketNanos = window.toNanos() / BUCKETS;
        this.ticker = requireNonNull(ticker, "ticker is null");
    }

    /** Counts a partition request (hedges excluded). */
    public void recordRequest() {
        recordRequests(1);
    }

    /** Counts {@code count} partition requests (hedges excluded) at once: a query's first wave takes one lock. */
    public synchronized void recordRequests(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count of requests must be 0 or more, got " + count);
        }
        requests[bucket()] += count;
    }

    /** Takes one hedge from the budget; false when it is spent. */
    public synchronized boolean tryAcquire() {
        int current = bucket();
        long totalRequests = 0;
        long totalHedges = 0;
        for (int i = 0; i < BUCKETS; i++) {
            totalRequests += requests[i];
            totalHedges += hedges[i];
        }
        if (totalHedges + 1 > ratio * totalRequests) {
            return false;
        }
        hedges[current]++;
        return true;
    }

    /** The current bucket, clearing buckets that fell out of the window. */
    private int bucket() {
        long epoch = Math.floorDiv(ticker.nanoTime(), bucketNanos);
        int index = (int) Math.floorMod(epoch, (long) BUCKETS);
        if (epochs[index] != epoch) {
            epochs[index] = epoch;
            requests[index] = 0;
            hedges[index] = 0;
        }
        for (int i = 0; i < BUCKETS; i++) {
            if (epoch - epochs[i] >= BUCKETS) {
                requests[i] = 0;
                hedges[i] = 0;
            }
        }
        return index;
    }
}
