package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CompleteQueryTest {
    private static final PartialEmbedding PARTIAL = PartialEmbedding.of(List.of(1.0));
    private static final QueryOptions OPTIONS = QueryOptions.defaults();

    @Test
    void acceptsAPartialEmbeddingAlone() {
        CompleteQuery query = new CompleteQuery(List.of(), Optional.of(PARTIAL), Map.of(), OPTIONS);

        assertThat(query.type()).isEqualTo(QueryType.COMPLETE);
        assertThat(query.partialEmbedding()).contains(PARTIAL);
        assertThat(query.knownFields()).isEmpty();
    }

    @Test
    void acceptsKnownFieldsAloneKeepingTheirOrderInACopy() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("b", "2");
        fields.put("a", "1");
        CompleteQuery query = new CompleteQuery(List.of(), Optional.empty(), fields, OPTIONS);

        fields.put("c", "3");

        assertThat(query.knownFields()).containsExactly(Map.entry("b", "2"), Map.entry("a", "1"));
        assertThatThrownBy(() -> query.knownFields().put("d", "4")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsNeitherPartialEmbeddingNorKnownFields() {
        assertThatThrownBy(() -> new CompleteQuery(List.of(), Optional.empty(), Map.of(), OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("complete needs a partial embedding, known fields, or both");
    }

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> new CompleteQuery(List.of(), null, Map.of("a", "1"), OPTIONS))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("partial embedding is null");
        assertThatThrownBy(() -> new CompleteQuery(List.of(), Optional.of(PARTIAL), null, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("known fields is null");
        assertThatThrownBy(() -> new CompleteQuery(List.of(), Optional.of(PARTIAL), Map.of(), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("options is null");
        assertThatThrownBy(() -> new CompleteQuery(null, Optional.of(PARTIAL), Map.of(), OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spaces is null");
    }

    @Test
    void acceptsMaxFieldsAndRejectsOneMore() {
        assertThat(new CompleteQuery(List.of(), Optional.empty(), fields(64), OPTIONS).knownFields())
                .hasSize(64);
        assertThatThrownBy(() -> new CompleteQuery(List.of(), Optional.empty(), fields(65), OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("known fields must have at most 64 entries, got 65");
    }

    @Test
    void rejectsEmptyOrOverlongFieldNames() {
        assertThatThrownBy(() -> new CompleteQuery(List.of(), Optional.empty(), Map.of("", "v"), OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("known field names must have 1 to 256 characters, got 0");
        assertThatThrownBy(() -> new CompleteQuery(List.of(), Optional.empty(), Map.of("k".repeat(257), "v"), OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("known field names must have 1 to 256 characters, got 257");
    }

    @Test
    void rejectsANullFieldName() {
        Map<String, String> fields = new HashMap<>();
        fields.put(null, "v");

        assertThatThrownBy(() -> new CompleteQuery(List.of(), Optional.empty(), fields, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("known field names must not be null");
    }

    @Test
    void rejectsANullOrOverlongValueNamingTheField() {
        Map<String, String> fields = new HashMap<>();
        fields.put("color", null);

        assertThatThrownBy(() -> new CompleteQuery(List.of(), Optional.empty(), fields, OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("known field 'color' has a null value");
        assertThatThrownBy(
                        () -> new CompleteQuery(List.of(), Optional.empty(), Map.of("color", "v".repeat(257)), OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("known field 'color' must have a value of at most 256 characters, got 257");
    }

    @Test
    void acceptsAnEmptyValueAndBoundaryLengths() {
        Map<String, String> fields = Map.of("k".repeat(256), "v".repeat(256), "empty", "");

        assertThat(new CompleteQuery(List.of(), Optional.empty(), fields, OPTIONS).knownFields())
                .isEqualTo(fields);
    }

    @Test
    void rejectsRepeatedSpaces() {
        MemorySpaceId s1 = MemorySpaceId.of("s1");

        assertThatThrownBy(() -> new CompleteQuery(List.of(s1, s1), Optional.of(PARTIAL), Map.of(), OPTIONS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spaces must not repeat an entry, got 's1' twice");
    }

    private static Map<String, String> fields(int count) {
        return IntStream.range(0, count).boxed().collect(Collectors.toMap(i -> "f" + i, i -> "v"));
    }
}
