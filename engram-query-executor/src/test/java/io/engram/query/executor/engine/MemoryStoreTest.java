package io.engram.query.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.Confidence;
import io.engram.query.api.Embedding;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MemoryStoreTest {
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final MemorySpaceId S2 = MemorySpaceId.of("s2");

    private static Memory memory(String id, MemorySpaceId space, List<Edge> edges, float... values) {
        return new Memory(
                MemoryId.of(id), space, Embedding.of(values), "content " + id, Confidence.HIGH, Map.of("k", id), edges);
    }

    @Test
    void looksUpMemoriesAcrossSpacesAndRoundTripsThem() {
        Memory a = memory("a", S1, List.of(Edge.of("b", 0.5), Edge.of("c", 0.25), Edge.of("zz", 1.0)), 1, 0);
        Memory b = memory("b", S1, List.of(), 0, 1);
        Memory c = memory("c", S2, List.of(Edge.of("a", 0.75)), 3, 4);
        MemoryStore store = MemoryStore.builder(2)
                .add(a)
                .add(b)
                .add(c)
                .addSpace(MemorySpaceId.of("empty"))
                .build();

        assertThat(store.spaces()).containsExactly(MemorySpaceId.of("empty"), S1, S2);
        assertThat(store.size()).isEqualTo(3);
        assertThat(store.dimensions()).isEqualTo(2);
        assertThat(store.locate(MemoryId.of("c")).orElseThrow().space()).isEqualTo(S2);
        assertThat(store.memory(MemoryId.of("a"))).contains(a);
        assertThat(store.memory(MemoryId.of("c"))).contains(c);
        assertThat(store.memory(MemoryId.of("zz"))).isEmpty();
        SpaceSegment s1 = store.segment(S1).orElseThrow();
        assertThat(s1.size()).isEqualTo(2);
        assertThat(s1.edgeCount()).isEqualTo(3);
        assertThat(s1.localTargets).containsExactly(1);
        assertThat(s1.externalTargets).containsExactly(MemoryId.of("c"), MemoryId.of("zz"));
        assertThat(s1.norms[0]).isEqualTo(1.0);
        assertThat(store.segment(S2).orElseThrow().norms[0]).isEqualTo(5.0);
        assertThat(store.segment(MemorySpaceId.of("empty")).orElseThrow().size())
                .isZero();
    }

    @Test
    void rejectsARepeatedIdEvenInAnotherSpace() {
        MemoryStore.Builder builder = MemoryStore.builder(2).add(memory("a", S1, List.of(), 1, 0));

        assertThatThrownBy(() -> builder.add(memory("a", S2, List.of(), 1, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory id 'a' is already loaded (in space 's1')");
    }

    @Test
    void rejectsAnEmbeddingOfTheWrongLength() {
        assertThatThrownBy(() -> MemoryStore.builder(3).add(memory("a", S1, List.of(), 1, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("embedding of memory 'a' must have 3 dimensions, got 2");
    }

    @Test
    void rejectsBadDimensions() {
        assertThatThrownBy(() -> MemoryStore.builder(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dimensions must be in [1, 65536], got 0");
    }

    @Test
    void storeDoesNotChangeWhenTheBuilderGoesOn() {
        MemoryStore.Builder builder = MemoryStore.builder(2).add(memory("a", S1, List.of(), 1, 0));
        MemoryStore first = builder.build();
        builder.add(memory("b", S1, List.of(), 0, 1));

        assertThat(first.size()).isEqualTo(1);
        assertThat(builder.build().size()).isEqualTo(2);
    }

    @Test
    void edgeWeightMustBeInRange() {
        assertThatThrownBy(() -> Edge.of("a", 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("edge weight must be in [0, 1], got 1.5");
    }
}
