package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class MissingPartitionTest {
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final NodeId N2 = NodeId.of("n2");

    @Test
    void printsSpaceNodeReasonAndDetail() {
        assertThat(MissingPartition.of(S1, N2, MissingReason.TIMEOUT, "no answer in 200 ms"))
                .hasToString("s1@n2 timeout (no answer in 200 ms)");
    }

    @Test
    void leavesOutAnAbsentNodeAndAnEmptyDetail() {
        assertThat(MissingPartition.of(S1, null, MissingReason.UNREACHABLE, "")).hasToString("s1 unreachable");
        assertThat(new MissingPartition(S1, Optional.of(N2), MissingReason.REJECTED, ""))
                .hasToString("s1@n2 rejected");
    }

    @Test
    void ofTreatsANullNodeAsNotTried() {
        assertThat(MissingPartition.of(S1, null, MissingReason.FAILED, "x").node())
                .isEmpty();
    }

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> new MissingPartition(null, Optional.empty(), MissingReason.FAILED, ""))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("space is null");
        assertThatThrownBy(() -> new MissingPartition(S1, null, MissingReason.FAILED, ""))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("node is null");
        assertThatThrownBy(() -> new MissingPartition(S1, Optional.empty(), null, ""))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("reason is null");
        assertThatThrownBy(() -> new MissingPartition(S1, Optional.empty(), MissingReason.FAILED, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("detail is null");
    }
}
