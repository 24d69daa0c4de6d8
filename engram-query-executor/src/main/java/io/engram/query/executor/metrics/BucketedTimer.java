package io.engram.query.executor.metrics;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A Dropwizard timer (its reservoir still gives the percentiles that hedging and blame read) that also counts each
 * duration into fixed buckets in seconds. Only {@link #update(long, TimeUnit)}, {@link #update(Duration)} and
 * {@link Timer.Context} are bucketed; {@code time(Callable)} is not used for these timers.
 */
public final class BucketedTimer extends Timer implements BucketCounts {
    private final Buckets buckets;
    private final double[] bounds;
    private final LongAdder[] counts;
    private final DoubleAdder sumSeconds = new DoubleAdder();

    public BucketedTimer(Buckets buckets) {
        this.buckets = requireNonNull(buckets, "buckets is null");
        this.bounds = buckets.toArray();
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    @Override
    public void update(long duration, TimeUnit unit) {
        super.update(duration, unit);
        if (duration >= 0) {
            double seconds = unit.toNanos(duration) / 1e9;
            counts[Buckets.indexOf(bounds, seconds)].increment();
            sumSeconds.add(seconds);
        }
    }

    @Override
    public void update(Duration duration) {
        update(duration.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public Buckets buckets() {
        return buckets;
    }

    @Override
    public long[] cumulativeCounts() {
        return cumulate(counts);
    }

    @Override
    public double sum() {
        return sumSeconds.sum();
    }

    static long[] cumulate(LongAdder[] counts) {
        long[] out = new long[counts.length];
        long running = 0;
        for (int i = 0; i < counts.length; i++) {
            running += counts[i].sum();
            out[i] = running;
        }
        return out;
    }
}
