package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanTargetTest {
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");

    @Test
    void preferredIsTheFirstReplicaAndTheOrderIsKept() {
        PlanTarget target = new PlanTarget(S1, List.of(N2, N1));

        assertThat(target.preferred()).isEqualTo(N2);
        assertThat(target.replicas()).containsExactly(N2, N1);
    }

    @Test
    void copiesTheReplicas() {
        List<NodeId> replicas = new ArrayList<>(List.of(N1));
        PlanTarget target = new PlanTarget(S1, replicas);

        replicas.add(N2);

        assertThat(target.replicas()).containsExactly(N1);
    }

    @Test
    void rejectsNoReplica() {
        assertThatThrownBy(() -> new PlanTarget(S1, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replicas of s1 must have 1 to 1024 entries, got 0");
    }

    @Test
    void rejectsARepeatedOrNullReplica() {
        assertThatThrownBy(() -> new PlanTarget(S1, List.of(N1, N2, N1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replicas of s1 must not repeat an entry, got 'n1' twice");
        assertThatThrownBy(() -> new PlanTarget(S1, Arrays.asList(N1, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replicas of s1 must not contain null");
        assertThatThrownBy(() -> new PlanTarget(S1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replicas of s1 is null");
    }

    @Test
    void rejectsANullSpace() {
        assertThatThrownBy(() -> new PlanTarget(null, List.of(N1)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("space is null");
    }
}
