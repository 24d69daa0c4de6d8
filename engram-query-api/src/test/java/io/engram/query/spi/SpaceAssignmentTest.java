package io.engram.query.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpaceAssignmentTest {
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");

    @Test
    void copiesListThePrimaryFirstThenTheReplicasInOrder() {
        SpaceAssignment assignment = new SpaceAssignment(S1, N2, List.of(N3, N1));

        assertThat(assignment.copies()).containsExactly(N2, N3, N1);
    }

    @Test
    void isHeldByThePrimaryAndEveryReplica() {
        SpaceAssignment assignment = new SpaceAssignment(S1, N1, List.of(N2));

        assertThat(assignment.isHeldBy(N1)).isTrue();
        assertThat(assignment.isHeldBy(N2)).isTrue();
        assertThat(assignment.isHeldBy(N3)).isFalse();
    }

    @Test
    void acceptsNoReplicas() {
        assertThat(new SpaceAssignment(S1, N1, List.of()).copies()).containsExactly(N1);
    }

    @Test
    void copiesTheReplicas() {
        List<NodeId> replicas = new ArrayList<>(List.of(N2));
        SpaceAssignment assignment = new SpaceAssignment(S1, N1, replicas);

        replicas.add(N3);

        assertThat(assignment.replicas()).containsExactly(N2);
    }

    @Test
    void rejectsTheSameNodeTwice() {
        assertThatThrownBy(() -> new SpaceAssignment(S1, N1, List.of(N2, N2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("space 's1' lists node 'n2' twice among its primary and replicas");
    }

    @Test
    void rejectsThePrimaryAmongTheReplicas() {
        assertThatThrownBy(() -> new SpaceAssignment(S1, N1, List.of(N2, N1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("space 's1' lists node 'n1' twice among its primary and replicas");
    }

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> new SpaceAssignment(null, N1, List.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("space is null");
        assertThatThrownBy(() -> new SpaceAssignment(S1, null, List.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("primary is null");
        assertThatThrownBy(() -> new SpaceAssignment(S1, N1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("replicas is null");
    }
}
