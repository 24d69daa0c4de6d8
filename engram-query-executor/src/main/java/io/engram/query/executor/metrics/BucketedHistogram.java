package io.engram.query.executor.metrics;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.ExponentiallyDecayingReservoir;
import com.codahale.metrics.Histogram;
import java.util.concurrent.atomic.LongAdder;

/** A Dropwizard histogram of sizes (fan-out, rounds, frontier) that also counts each value into fixed buckets. */
public final class BucketedHistogram extends Histogram implements BucketCounts {
    private final Buckets buckets;
    private final double[] bounds;
    private final LongAdder[] counts;
    private final LongAdder sum = new LongAdder();

    public BucketedHistogram(Buckets buckets) {
        super(new ExponentiallyDecayingReservoir());
        this.buckets = requireNonNull(buckets, "buckets is null");
        this.bounds = buckets.toArray();
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    @Override
    public void update(int value) {
        update((long) value);
    }

    @Override
    public void update(long value) {
        super.update(value);
        counts[Buckets.indexOf(bounds, value)].increment();
        sum.add(value);
    }

    @Override
    public Buckets buckets() {
        return buckets;
    }

    @Override
    public long[] cumulativeCounts() {
        return BucketedTimer.cumulate(counts);
    }

    @Override
    public double sum() {
        return sum.sum();
    }
}
