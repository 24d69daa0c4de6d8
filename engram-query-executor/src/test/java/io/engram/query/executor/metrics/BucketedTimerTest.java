package io.engram.query.executor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BucketedTimerTest {
    private final BucketedTimer timer = new BucketedTimer(new Buckets(List.of(0.001, 0.01, 0.1)));

    @Test
    void countsEachDurationIntoItsBucketAndKeepsThePercentiles() {
        timer.update(500, TimeUnit.MICROSECONDS);
        timer.update(Duration.ofMillis(1)); // on the bound: le is inclusive
        timer.update(Duration.ofMillis(50));
        timer.update(Duration.ofSeconds(3)); // past every finite bound: only +Inf
        try (var context = timer.time()) {
            // a Context goes through update(long, TimeUnit) too
        }

        assertThat(timer.cumulativeCounts()).containsExactly(3, 3, 4, 5);
        assertThat(timer.getCount()).isEqualTo(5);
        assertThat(timer.sum()).isCloseTo(0.0005 + 0.001 + 0.05 + 3.0, within(1e-3));
        assertThat(timer.getSnapshot().getMax()).isEqualTo(Duration.ofSeconds(3).toNanos());
    }

    @Test
    void histogramBucketsSizes() {
        BucketedHistogram sizes = new BucketedHistogram(Buckets.powersOfTwoUpTo(4));
        sizes.update(1);
        sizes.update(3);
        sizes.update(9L);

        assertThat(sizes.cumulativeCounts()).containsExactly(1, 1, 2, 3); // le 1, 2, 4, +Inf
        assertThat(sizes.sum()).isEqualTo(13.0);
        assertThat(sizes.getSnapshot().getMax()).isEqualTo(9);
    }
}
