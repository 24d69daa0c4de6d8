package io.engram.query.executor.metrics;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The upper bounds of a histogram's buckets, ascending, without the {@code +Inf} bucket every histogram has anyway.
 *
 * @param upperBounds the finite upper bounds, strictly ascending, at least one
 */
public record Buckets(List<Double> upperBounds) {
    public Buckets {
        upperBounds = List.copyOf(requireNonNull(upperBounds, "upper bounds is null"));
        if (upperBounds.isEmpty()) {
            throw new IllegalArgumentException("a histogram needs at least one finite bucket, got none");
        }
        for (int i = 1; i < upperBounds.size(); i++) {
            if (!(upperBounds.get(i) > upperBounds.get(i - 1))) {
                throw new IllegalArgumentException("bucket bounds must be strictly ascending, got " + upperBounds);
            }
        }
    }

    /**
     * Latency buckets in seconds on a 1-2.5-5 scale, from 100 µs (a local partition answers in well under a
     * millisecond) up to the first bound at or above {@code longest} (the longest deadline a query may ask for), so
     * every query that finishes lands in a finite bucket.
     */
    public static Buckets latencyUpTo(Duration longest) {
        requireNonNull(longest, "longest is null");
        double limit = longest.toNanos() / 1e9;
        double[] steps = {1.0, 2.5, 5.0};
        List<Double> bounds = new ArrayList<>();
        for (double decade = 1e-4; ; decade *= 10) {
            for (double step : steps) {
                // rounded, so that 0.0025 prints as 0.0025 and not 0.0025000000000000005
                double bound = Double.parseDouble(String.format(java.util.Locale.ROOT, "%.6g", decade * step));
                bounds.add(bound);
                if (bound >= limit) {
                    return new Buckets(bounds);
                }
            }
        }
    }

    /** Powers of two from 1 to at least {@code largest}: fan-out, rounds and frontier sizes. */
    public static Buckets powersOfTwoUpTo(long largest) {
        if (largest < 1) {
            throw new IllegalArgumentException("largest must be >= 1, got " + largest);
        }
        List<Double> bounds = new ArrayList<>();
        for (long bound = 1; ; bound *= 2) {
            bounds.add((double) bound);
            if (bound >= largest) {
                return new Buckets(bounds);
            }
        }
    }

    double[] toArray() {
        return upperBounds.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The index of the first bucket holding {@code value}; {@code upperBounds.size()} is the {@code +Inf} bucket. */
    static int indexOf(double[] bounds, double value) {
        int at = Arrays.binarySearch(bounds, value);
        return at >= 0 ? at : -at - 1;
    }
}
