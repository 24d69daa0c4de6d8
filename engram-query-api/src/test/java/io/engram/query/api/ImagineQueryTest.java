package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ImagineQueryTest {
    private static final MemoryId M1 = MemoryId.of("m1");
    private static final QueryOptions OPTIONS = QueryOptions.defaults();

    @Test
    void holdsItsParameters() {
        ImagineQuery query = new ImagineQuery(List.of(M1), List.of(MemorySpaceId.of("s1")), 0.3, OPTIONS);

        assertThat(query.type()).isEqualTo(QueryType.IMAGINE);
        assertThat(query.seeds()).containsExactly(M1);
        assertThat(query.spaces()).containsExactly(MemorySpaceId.of("s1"));
        assertThat(query.novelty()).isEqualTo(0.3);
        assertThat(query.limit()).isEqualTo(10);
    }

    @Test
    void acceptsNoveltyBounds() {
        assertThat(new ImagineQuery(List.of(M1), List.of(), 0.0, OPTIONS).novelty())
                .isZero();
        assertThat(new ImagineQuery(List.of(M1), List.of(), 1.0, OPTIONS).novelty())
                .isEqualTo(1.0);
    }

    @Test
    void rejectsNoveltyOutOfRange() {
        assertThatThrownBy(() -> new ImagineQuery(List.of(M1), List.of(), 1.5, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("novelty must be in [0.0, 1.0], got 1.5");
        assertThatThrownBy(() -> new ImagineQuery(List.of(M1), List.of(), -0.01, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("novelty must be in [0.0, 1.0], got -0.01");
        assertThatThrownBy(() -> new ImagineQuery(List.of(M1), List.of(), Double.NaN, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("novelty must be in [0.0, 1.0], got NaN");
    }

    @Test
    void rejectsSeedCountOutOfRange() {
        List<MemoryId> hundred =
                IntStream.range(0, 100).mapToObj(i -> MemoryId.of("m" + i)).toList();
        List<MemoryId> tooMany =
                IntStream.range(0, 101).mapToObj(i -> MemoryId.of("m" + i)).toList();

        assertThat(new ImagineQuery(hundred, List.of(), 0.5, OPTIONS).seeds()).hasSize(100);
        assertThatThrownBy(() -> new ImagineQuery(tooMany, List.of(), 0.5, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seeds must have 1 to 100 entries, got 101");
        assertThatThrownBy(() -> new ImagineQuery(List.of(), List.of(), 0.5, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seeds must have 1 to 100 entries, got 0");
    }

    @Test
    void rejectsRepeatedOrNullSeedsAndSpaces() {
        assertThatThrownBy(() -> new ImagineQuery(List.of(M1, M1), List.of(), 0.5, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seeds must not repeat an entry, got 'm1' twice");
        assertThatThrownBy(() -> new ImagineQuery(List.of(M1), Arrays.asList((MemorySpaceId) null), 0.5, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spaces must not contain null");
        assertThatThrownBy(() -> new ImagineQuery(List.of(M1), null, 0.5, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spaces is null");
        assertThatThrownBy(() -> new ImagineQuery(List.of(M1), List.of(), 0.5, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("options is null");
    }
}
