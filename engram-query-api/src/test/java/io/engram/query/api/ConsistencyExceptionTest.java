package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConsistencyExceptionTest {
    private static final MissingPartition S2_TIMEOUT =
            MissingPartition.of(MemorySpaceId.of("s2"), NodeId.of("n2"), MissingReason.TIMEOUT, "no answer in 200 ms");
    private static final MissingPartition S3_UNREACHABLE =
            MissingPartition.of(MemorySpaceId.of("s3"), null, MissingReason.UNREACHABLE, "");

    @Test
    void namesThePolicyTheCountsAndEveryMissingPartition() {
        Coverage coverage = new Coverage(3, 1, 1.0 / 3, List.of(S2_TIMEOUT, S3_UNREACHABLE));

        ConsistencyException e = new ConsistencyException("all", coverage);

        assertThat(e)
                .hasMessage("consistency 'all' not met: 1 of 3 partitions responded; "
                        + "missing: s2@n2 timeout (no answer in 200 ms), s3 unreachable");
        assertThat(e.policy()).isEqualTo("all");
        assertThat(e.coverage()).isSameAs(coverage);
    }

    @Test
    void givesTheRatioWhenEveryPartitionAnsweredButOnlyPartly() {
        ConsistencyException e = new ConsistencyException("all", new Coverage(2, 2, 0.75, List.of()));

        assertThat(e).hasMessage("consistency 'all' not met: 2 of 2 partitions responded; coverage ratio 0.75");
    }

    @Test
    void carriesNoStackTraceOrCause() {
        ConsistencyException e = new ConsistencyException("quorum", new Coverage(1, 0, 0.0, List.of(S2_TIMEOUT)));

        assertThat(e.getStackTrace()).isEmpty();
        assertThat(e.getCause()).isNull();
    }

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> new ConsistencyException(null, Coverage.complete(1)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("policy is null");
        assertThatThrownBy(() -> new ConsistencyException("all", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("coverage is null");
    }
}
