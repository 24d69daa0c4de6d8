package io.engram.query.planner.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.spi.SpaceAssignment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StaticSpaceDirectoryTest {
    @Test
    void rendezvousPlacementIsPinnedForATinyCluster() {
        StaticSpaceDirectory directory = StaticSpaceDirectory.rendezvous(
                spaces("alpha", "beta", "gamma", "delta"), nodes("n1", "n2", "n3", "n4"), 2);

        // Pinned: the hash is our own FNV-1a + Murmur3 finaliser over UTF-8, so this holds on every JVM and run.
        assertThat(directory.assignments())
                .containsExactly(
                        assignment("alpha", "n3", "n2"),
                        assignment("beta", "n4", "n2"),
                        assignment("gamma", "n1", "n3"),
                        assignment("delta", "n4", "n1"));
    }

    @Test
    void rendezvousIsDeterministicAndIndependentOfNodeOrder() {
        List<MemorySpaceId> spaces = numbered("space-", 500);
        List<NodeId> nodes = numberedNodes(10);
        List<NodeId> shuffled = new ArrayList<>(nodes);
        Collections.reverse(shuffled);

        List<SpaceAssignment> first =
                StaticSpaceDirectory.rendezvous(spaces, nodes, 3).assignments();

        assertThat(StaticSpaceDirectory.rendezvous(spaces, nodes, 3).assignments())
                .isEqualTo(first);
        assertThat(StaticSpaceDirectory.rendezvous(spaces, shuffled, 3).assignments())
                .isEqualTo(first);
    }

    @Test
    void rendezvousSpreadsPrimariesOverNodes() {
        List<SpaceAssignment> assignments = StaticSpaceDirectory.rendezvous(
                        numbered("space-", 10_000), numberedNodes(10), 2)
                .assignments();
        Map<NodeId, Integer> primaries = new HashMap<>();
        assignments.forEach(a -> primaries.merge(a.primary(), 1, Integer::sum));

        assertThat(primaries).hasSize(10);
        assertThat(primaries.values()).allSatisfy(count -> assertThat(count).isBetween(850, 1150));
    }

    @Test
    void removingOneNodeOfTenMovesOnlyThatNodesSpaces() {
        int replicationFactor = 2;
        List<MemorySpaceId> spaces = numbered("space-", 10_000);
        List<NodeId> nodes = numberedNodes(10);
        NodeId removed = nodes.get(6);
        List<NodeId> remaining = new ArrayList<>(nodes);
        remaining.remove(removed);

        StaticSpaceDirectory before = StaticSpaceDirectory.rendezvous(spaces, nodes, replicationFactor);
        StaticSpaceDirectory after = StaticSpaceDirectory.rendezvous(spaces, remaining, replicationFactor);

        int moved = 0;
        for (SpaceAssignment was : before.assignments()) {
            SpaceAssignment now = after.assignment(was.space()).orElseThrow();
            if (was.isHeldBy(removed)) {
                moved++;
                // The surviving copy stays, only the removed node's copy is replaced.
                List<NodeId> survivors = new ArrayList<>(was.copies());
                survivors.remove(removed);
                assertThat(now.copies()).containsAll(survivors).doesNotContain(removed);
            } else {
                assertThat(now).isEqualTo(was);
            }
        }
        double share = (double) moved / spaces.size();
        // Expected rf / N = 0.2; with these ids 2,000 of 10,000 spaces move (0.200).
        assertThat(share).isBetween(0.18, 0.22);
    }

    @Test
    void explicitAssignmentsAreLookedUpAndKeepTheirOrder() {
        StaticSpaceDirectory directory =
                new StaticSpaceDirectory(List.of(assignment("b", "n1", "n2"), assignment("a", "n2")));

        assertThat(directory.assignment(MemorySpaceId.of("a"))).contains(assignment("a", "n2"));
        assertThat(directory.assignment(MemorySpaceId.of("zzz"))).isEqualTo(Optional.empty());
        assertThat(directory.assignments())
                .extracting(SpaceAssignment::space)
                .containsExactly(MemorySpaceId.of("b"), MemorySpaceId.of("a"));
    }

    @Test
    void invalidPlacementsAreRejected() {
        assertThatThrownBy(() -> StaticSpaceDirectory.rendezvous(spaces("a"), nodes("n1", "n2"), 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replication factor must be in [1, 2] (the number of nodes), got 3");
        assertThatThrownBy(() -> StaticSpaceDirectory.rendezvous(spaces("a"), nodes("n1", "n2"), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replication factor must be in [1, 2] (the number of nodes), got 0");
        assertThatThrownBy(() -> StaticSpaceDirectory.rendezvous(spaces("a"), nodes("n1", "n1"), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodes must not repeat an entry, got 'n1' twice");
        assertThatThrownBy(() -> StaticSpaceDirectory.rendezvous(spaces("a", "a"), nodes("n1"), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spaces must not repeat an entry, got 'a' twice");
        assertThatThrownBy(() -> StaticSpaceDirectory.rendezvous(spaces("a"), List.of(), 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodes must not be empty");
        assertThatThrownBy(() -> new StaticSpaceDirectory(List.of(assignment("a", "n1"), assignment("a", "n2"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("space 'a' is assigned twice");
    }

    @Test
    void everyNodeHoldsACopyWhenTheFactorEqualsTheNodeCount() {
        SpaceAssignment only = StaticSpaceDirectory.rendezvous(spaces("a"), nodes("n1", "n2", "n3"), 3)
                .assignments()
                .get(0);

        assertThat(new HashSet<>(only.copies())).containsExactlyInAnyOrderElementsOf(nodes("n1", "n2", "n3"));
    }

    private static SpaceAssignment assignment(String space, String primary, String... replicas) {
        return new SpaceAssignment(MemorySpaceId.of(space), NodeId.of(primary), nodes(replicas));
    }

    private static List<MemorySpaceId> spaces(String... ids) {
        return java.util.Arrays.stream(ids).map(MemorySpaceId::of).toList();
    }

    private static List<NodeId> nodes(String... ids) {
        return java.util.Arrays.stream(ids).map(NodeId::of).toList();
    }

    private static List<MemorySpaceId> numbered(String prefix, int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> MemorySpaceId.of(prefix + i))
                .toList();
    }

    private static List<NodeId> numberedNodes(int count) {
        return IntStream.range(0, count).mapToObj(i -> NodeId.of("node-" + i)).toList();
    }
}
