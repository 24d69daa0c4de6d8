package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CoverageTest {
    private static final MissingPartition S2_TIMEOUT =
            MissingPartition.of(MemorySpaceId.of("s2"), NodeId.of("n2"), MissingReason.TIMEOUT, "");
    private static final MissingPartition S3_UNREACHABLE =
            MissingPartition.of(MemorySpaceId.of("s3"), null, MissingReason.UNREACHABLE, "");
    private static final MissingPartition S4_FAILED =
            MissingPartition.of(MemorySpaceId.of("s4"), NodeId.of("n4"), MissingReason.FAILED, "500");
    private static final MissingPartition S5_TIMEOUT =
            MissingPartition.of(MemorySpaceId.of("s5"), NodeId.of("n5"), MissingReason.TIMEOUT, "");

    @Test
    void completeCoversEveryPartition() {
        Coverage coverage = Coverage.complete(3);

        assertThat(coverage.expectedPartitions()).isEqualTo(3);
        assertThat(coverage.respondingPartitions()).isEqualTo(3);
        assertThat(coverage.ratio()).isEqualTo(1.0);
        assertThat(coverage.missing()).isEmpty();
        assertThat(coverage.isComplete()).isTrue();
    }

    @Test
    void completeOfNothingIsComplete() {
        assertThat(Coverage.complete(0).isComplete()).isTrue();
    }

    @Test
    void countsMissingPartitionsByReason() {
        Coverage coverage = new Coverage(5, 1, 0.2, List.of(S2_TIMEOUT, S3_UNREACHABLE, S4_FAILED, S5_TIMEOUT));

        assertThat(coverage.isComplete()).isFalse();
        assertThat(coverage.timedOut()).isEqualTo(2);
        assertThat(coverage.failed()).isEqualTo(2);
        assertThat(coverage.count(MissingReason.UNREACHABLE)).isEqualTo(1);
        assertThat(coverage.count(MissingReason.REJECTED)).isZero();
    }

    @Test
    void allRespondingButTruncatedIsNotComplete() {
        Coverage coverage = new Coverage(2, 2, 0.75, List.of());

        assertThat(coverage.isComplete()).isFalse();
        assertThat(coverage.timedOut()).isZero();
        assertThat(coverage.failed()).isZero();
    }

    @Test
    void copiesTheMissingList() {
        List<MissingPartition> missing = new ArrayList<>(List.of(S2_TIMEOUT));
        Coverage coverage = new Coverage(2, 1, 0.5, missing);

        missing.add(S4_FAILED);

        assertThat(coverage.missing()).containsExactly(S2_TIMEOUT);
    }

    @Test
    void rejectsNegativeExpected() {
        assertThatThrownBy(() -> new Coverage(-1, 0, 1.0, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected partitions must be >= 0, got -1");
    }

    @Test
    void rejectsRespondingOutOfRange() {
        assertThatThrownBy(() -> new Coverage(2, 3, 1.0, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("responding partitions must be in [0, 2], got 3");
        assertThatThrownBy(() -> new Coverage(2, -1, 0.0, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("responding partitions must be in [0, 2], got -1");
    }

    @Test
    void rejectsRatioOutOfRange() {
        assertThatThrownBy(() -> new Coverage(1, 1, 1.5, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("coverage ratio must be in [0.0, 1.0], got 1.5");
        assertThatThrownBy(() -> new Coverage(1, 1, Double.NaN, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("coverage ratio must be in [0.0, 1.0], got NaN");
    }

    @Test
    void rejectsARatioAboveTheShareThatResponded() {
        assertThatThrownBy(() -> new Coverage(2, 1, 0.75, List.of(S2_TIMEOUT)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("coverage ratio must be at most responding / expected (1/2), got 0.75");
        assertThatThrownBy(() -> new Coverage(1, 0, 1.0, List.of(S2_TIMEOUT)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("coverage ratio must be at most responding / expected (0/1), got 1.0");
    }

    @Test
    void acceptsARatioSummedFromAdjustments() {
        double ratio = (0.1 + 0.2 + 1.0) / 3;

        assertThat(new Coverage(3, 3, ratio, List.of()).ratio()).isEqualTo(ratio);
        assertThat(new Coverage(3, 1, 1.0 / 3, List.of(S2_TIMEOUT, S4_FAILED)).ratio())
                .isEqualTo(1.0 / 3);
    }

    @Test
    void rejectsARatioBelowOneWhenNothingWasExpected() {
        assertThatThrownBy(() -> new Coverage(0, 0, 0.0, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("coverage ratio must be 1 when no partition is expected, got 0.0");
    }

    @Test
    void rejectsCountsThatDoNotAddUp() {
        assertThatThrownBy(() -> new Coverage(3, 1, 0.3, List.of(S2_TIMEOUT)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("responding (1) and missing (1) partitions must add up to expected (3)");
        assertThatThrownBy(() -> new Coverage(1, 1, 1.0, List.of(S2_TIMEOUT)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("responding (1) and missing (1) partitions must add up to expected (1)");
    }

    @Test
    void rejectsNullMissing() {
        assertThatThrownBy(() -> new Coverage(0, 0, 1.0, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("missing is null");
    }
}
