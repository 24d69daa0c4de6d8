package io.engram.query.executor.metrics;

/**
 * A metric that also counts its values into fixed buckets, so that {@code /metrics} can expose it as a Prometheus
 * histogram ({@code _bucket{le}}, {@code _sum}, {@code _count}) that sums across nodes and over time, which the
 * Dropwizard reservoir's quantiles do not.
 */
public interface BucketCounts {
    /** The finite upper bounds, in the unit of {@link #sum()} (seconds for a timer). */
    Buckets buckets();

    /**
     * Cumulative counts: element {@code i} counts the values at most {@code buckets().upperBounds().get(i)}; the
     * last element, one past the finite bounds, counts every value ({@code +Inf}).
     */
    long[] cumulativeCounts();

    /** The sum of every value recorded, in the buckets' unit. */
    double sum();
}
