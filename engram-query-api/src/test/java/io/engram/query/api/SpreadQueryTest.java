package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SpreadQueryTest {
    private static final MemoryId M1 = MemoryId.of("m1");
    private static final MemoryId M2 = MemoryId.of("m2");
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final QueryOptions OPTIONS = QueryOptions.defaults();

    @Test
    void ofUsesTheDocumentedDefaults() {
        SpreadQuery query = SpreadQuery.of(List.of(M1, M2), List.of(S1), 20);

        assertThat(query.type()).isEqualTo(QueryType.SPREAD);
        assertThat(query.seeds()).containsExactly(M1, M2);
        assertThat(query.spaces()).containsExactly(S1);
        assertThat(query.maxHops()).isEqualTo(3);
        assertThat(query.decay()).isEqualTo(0.1);
        assertThat(query.threshold()).isEqualTo(0.01);
        assertThat(query.limit()).isEqualTo(20);
    }

    @Test
    void acceptsTheRangeBounds() {
        assertThat(new SpreadQuery(List.of(M1), List.of(), 1, 0.0, 1.0, OPTIONS).maxHops())
                .isEqualTo(1);
        assertThat(new SpreadQuery(List.of(M1), List.of(), 10, 0.999, Double.MIN_VALUE, OPTIONS).maxHops())
                .isEqualTo(10);
    }

    @Test
    void rejectsMaxHopsOutOfRange() {
        assertThatThrownBy(() -> new SpreadQuery(List.of(M1), List.of(), 0, 0.1, 0.01, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max hops must be in [1, 10], got 0");
        assertThatThrownBy(() -> new SpreadQuery(List.of(M1), List.of(), 11, 0.1, 0.01, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max hops must be in [1, 10], got 11");
    }

    @Test
    void rejectsDecayOutOfRange() {
        assertThatThrownBy(() -> new SpreadQuery(List.of(M1), List.of(), 3, 1.0, 0.01, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("decay must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new SpreadQuery(List.of(M1), List.of(), 3, -0.1, 0.01, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("decay must be in [0, 1), got -0.1");
        assertThatThrownBy(() -> new SpreadQuery(List.of(M1), List.of(), 3, Double.NaN, 0.01, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("decay must be in [0, 1), got NaN");
    }

    @Test
    void rejectsThresholdOutOfRange() {
        assertThatThrownBy(() -> new SpreadQuery(List.of(M1), List.of(), 3, 0.1, 0.0, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threshold must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> new SpreadQuery(List.of(M1), List.of(), 3, 0.1, 1.5, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threshold must be in (0, 1], got 1.5");
        assertThatThrownBy(() -> new SpreadQuery(List.of(M1), List.of(), 3, 0.1, Double.NaN, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threshold must be in (0, 1], got NaN");
    }

    @Test
    void rejectsNoSeedsAndTooManySeeds() {
        assertThatThrownBy(() -> SpreadQuery.of(List.of(), List.of(), 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seeds must have 1 to 1000 entries, got 0");
        assertThat(SpreadQuery.of(seeds(1000), List.of(), 10).seeds()).hasSize(1000);
        assertThatThrownBy(() -> SpreadQuery.of(seeds(1001), List.of(), 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seeds must have 1 to 1000 entries, got 1001");
    }

    @Test
    void rejectsNullAndRepeatedSeeds() {
        assertThatThrownBy(() -> SpreadQuery.of(null, List.of(), 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seeds is null");
        assertThatThrownBy(() -> SpreadQuery.of(Arrays.asList(M1, null), List.of(), 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seeds must not contain null");
        assertThatThrownBy(() -> SpreadQuery.of(List.of(M1, M2, M2), List.of(), 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seeds must not repeat an entry, got 'm2' twice");
    }

    @Test
    void rejectsRepeatedSpacesAndNullOptions() {
        assertThatThrownBy(() -> SpreadQuery.of(List.of(M1), List.of(S1, S1), 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spaces must not repeat an entry, got 's1' twice");
        assertThatThrownBy(() -> new SpreadQuery(List.of(M1), List.of(), 3, 0.1, 0.01, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("options is null");
    }

    private static List<MemoryId> seeds(int count) {
        return IntStream.range(0, count).mapToObj(i -> MemoryId.of("m" + i)).toList();
    }
}
