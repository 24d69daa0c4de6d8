package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PartitionOutcomeTest {
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final Optional<NodeId> N1 = Optional.of(NodeId.of("n1"));
    private static final Duration LATENCY = Duration.ofMillis(12);

    @Test
    void holdsAnOkOutcome() {
        PartitionOutcome outcome = new PartitionOutcome(S1, N1, PartitionStatus.OK, LATENCY, 2, true, 0.75);

        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(outcome.hedged()).isTrue();
        assertThat(outcome.confidenceAdjustment()).isEqualTo(0.75);
    }

    @Test
    void acceptsAnUnreachablePartitionNeverTried() {
        PartitionOutcome outcome =
                new PartitionOutcome(S1, Optional.empty(), PartitionStatus.UNREACHABLE, Duration.ZERO, 0, false, 0.0);

        assertThat(outcome.node()).isEmpty();
    }

    @Test
    void rejectsNegativeAttempts() {
        assertThatThrownBy(() -> new PartitionOutcome(S1, N1, PartitionStatus.OK, LATENCY, -1, false, 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attempts must be >= 0, got -1");
    }

    @Test
    void rejectsNegativeLatency() {
        assertThatThrownBy(() -> new PartitionOutcome(S1, N1, PartitionStatus.OK, Duration.ofMillis(-5), 1, false, 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("latency must not be negative, got PT-0.005S");
    }

    @Test
    void rejectsConfidenceAdjustmentOutOfRange() {
        assertThatThrownBy(() -> new PartitionOutcome(S1, N1, PartitionStatus.OK, LATENCY, 1, false, 2.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidence adjustment must be in [0.0, 1.0], got 2.0");
    }

    @Test
    void rejectsAnAdjustmentForAMissingPartition() {
        assertThatThrownBy(() -> new PartitionOutcome(S1, N1, PartitionStatus.TIMEOUT, LATENCY, 3, true, 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidence adjustment must be 0 when status is TIMEOUT, got 0.5");
    }

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> new PartitionOutcome(null, N1, PartitionStatus.OK, LATENCY, 1, false, 1.0))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("space is null");
        assertThatThrownBy(() -> new PartitionOutcome(S1, null, PartitionStatus.OK, LATENCY, 1, false, 1.0))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("node is null");
        assertThatThrownBy(() -> new PartitionOutcome(S1, N1, null, LATENCY, 1, false, 1.0))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("status is null");
        assertThatThrownBy(() -> new PartitionOutcome(S1, N1, PartitionStatus.OK, null, 1, false, 1.0))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("latency is null");
    }

    @Test
    void everyMissingReasonHasAStatusOfTheSameName() {
        for (MissingReason reason : MissingReason.values()) {
            assertThat(PartitionStatus.of(reason).name()).isEqualTo(reason.name());
        }
    }
}
