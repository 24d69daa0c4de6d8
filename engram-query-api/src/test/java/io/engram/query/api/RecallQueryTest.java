package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RecallQueryTest {
    private static final Cue CUE = Cue.of("coffee");
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final MemorySpaceId S2 = MemorySpaceId.of("s2");

    @Test
    void ofUsesNoMinimumConfidenceAndDefaultOptionsWithTheLimit() {
        RecallQuery query = RecallQuery.of(List.of(S1, S2), CUE, 25);

        assertThat(query.type()).isEqualTo(QueryType.RECALL);
        assertThat(query.spaces()).containsExactly(S1, S2);
        assertThat(query.minConfidence()).isEqualTo(Confidence.NONE);
        assertThat(query.options()).isEqualTo(QueryOptions.limit(25));
        assertThat(query.limit()).isEqualTo(25);
    }

    @Test
    void emptySpacesMeansEverySpace() {
        assertThat(RecallQuery.of(List.of(), CUE, 10).spaces()).isEmpty();
    }

    @Test
    void copiesTheSpaces() {
        List<MemorySpaceId> spaces = new ArrayList<>(List.of(S1));
        RecallQuery query = RecallQuery.of(spaces, CUE, 10);

        spaces.add(S2);

        assertThat(query.spaces()).containsExactly(S1);
        assertThatThrownBy(() -> query.spaces().add(S2)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsNullSpaces() {
        assertThatThrownBy(() -> RecallQuery.of(null, CUE, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spaces is null");
    }

    @Test
    void rejectsANullSpace() {
        assertThatThrownBy(() -> RecallQuery.of(Arrays.asList(S1, null), CUE, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spaces must not contain null");
    }

    @Test
    void rejectsARepeatedSpace() {
        assertThatThrownBy(() -> RecallQuery.of(List.of(S1, S2, S1), CUE, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spaces must not repeat an entry, got 's1' twice");
    }

    @Test
    void acceptsMaxSpacesAndRejectsOneMore() {
        List<MemorySpaceId> max = spaces(Query.MAX_SPACES);
        List<MemorySpaceId> tooMany = spaces(Query.MAX_SPACES + 1);

        assertThat(RecallQuery.of(max, CUE, 10).spaces()).hasSize(10_000);
        assertThatThrownBy(() -> RecallQuery.of(tooMany, CUE, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spaces must have 0 to 10000 entries, got 10001");
    }

    @Test
    void rejectsNullCueMinConfidenceAndOptions() {
        assertThatThrownBy(() -> new RecallQuery(List.of(), null, Confidence.NONE, QueryOptions.defaults()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("cue is null");
        assertThatThrownBy(() -> new RecallQuery(List.of(), CUE, null, QueryOptions.defaults()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("min confidence is null");
        assertThatThrownBy(() -> new RecallQuery(List.of(), CUE, Confidence.NONE, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("options is null");
    }

    static List<MemorySpaceId> spaces(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> MemorySpaceId.of("s" + i))
                .toList();
    }
}
