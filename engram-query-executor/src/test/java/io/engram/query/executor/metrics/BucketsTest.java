package io.engram.query.executor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BucketsTest {
    @Test
    void latencyBucketsRunFromAHundredMicrosecondsToTheLongestDeadline() {
        assertThat(Buckets.latencyUpTo(Duration.ofSeconds(60)).upperBounds())
                .containsExactly(
                        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                        10.0, 25.0, 50.0, 100.0);
        assertThat(Buckets.latencyUpTo(Duration.ofSeconds(5)).upperBounds()).endsWith(2.5, 5.0);
    }

    @Test
    void sizeBucketsArePowersOfTwo() {
        assertThat(Buckets.powersOfTwoUpTo(5).upperBounds()).containsExactly(1.0, 2.0, 4.0, 8.0);
    }

    @Test
    void boundsMustAscend() {
        assertThatThrownBy(() -> new Buckets(List.of(1.0, 1.0)))
                .hasMessage("bucket bounds must be strictly ascending, got [1.0, 1.0]");
        assertThatThrownBy(() -> new Buckets(List.of()))
                .hasMessage("a histogram needs at least one finite bucket, got none");
        assertThatThrownBy(() -> Buckets.powersOfTwoUpTo(0)).hasMessage("largest must be >= 1, got 0");
    }
}
