package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DistinctEntriesTest {
    @Test
    void firstRepeatedStopsWhereAWalkWithAHashSetStopsForShortAndLongLists() {
        Random random = new Random(42);
        for (int round = 0; round < 20_000; round++) {
            int size = random.nextInt(24);
            int alphabet = 1 + random.nextInt(40);
            List<String> values = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                values.add(random.nextInt(50) == 0 ? null : "v" + random.nextInt(alphabet));
            }

            assertThat(DistinctEntries.firstRepeated(values)).as("%s", values).isEqualTo(hashSetWalk(values));
        }
    }

    private static int hashSetWalk(List<String> values) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null || !seen.add(values.get(i))) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void theFieldIsNamedFromItsPrefixAndSubjectInEveryError() {
        MemorySpaceId s1 = MemorySpaceId.of("s1");
        NodeId n1 = NodeId.of("n1");

        assertThatThrownBy(() -> new PlanTarget(s1, List.of(n1, NodeId.of("n2"), n1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replicas of s1 must not repeat an entry, got 'n1' twice");
        assertThatThrownBy(() -> new PlanTarget(s1, Arrays.asList(n1, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replicas of s1 must not contain null");
        assertThatThrownBy(() -> new PlanTarget(s1, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replicas of s1 must have 1 to 1024 entries, got 0");
        assertThatThrownBy(() -> new PlanTarget(s1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replicas of s1 is null");
    }

    @Test
    void aLongListWithARepeatNamesTheFirstRepeatedEntry() {
        List<MemoryId> seeds = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            seeds.add(MemoryId.of("m" + i));
        }
        seeds.add(MemoryId.of("m7"));
        seeds.add(MemoryId.of("m3"));

        assertThatThrownBy(() -> SpreadQuery.of(seeds, List.of(), 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seeds must not repeat an entry, got 'm7' twice");
    }
}
