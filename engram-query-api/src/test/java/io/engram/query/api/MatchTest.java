package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class MatchTest {
    private static final MemoryId M1 = MemoryId.of("m1");
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");

    @Test
    void ofFillsTheOptionalPartsWithEmpties() {
        Match match = Match.of(M1, S1, Confidence.HIGH, "coffee at nine");

        assertThat(match.activation()).isEmpty();
        assertThat(match.similarity()).isEmpty();
        assertThat(match.fields()).isEmpty();
        assertThat(match.embedding()).isEmpty();
    }

    @Test
    void withConfidenceChangesOnlyTheConfidence() {
        Match match = match(OptionalDouble.of(0.4), OptionalDouble.of(-0.2), Map.of("k", "v"));

        Match changed = match.withConfidence(Confidence.LOW);

        assertThat(changed.confidence()).isEqualTo(Confidence.LOW);
        assertThat(changed.withConfidence(match.confidence())).isEqualTo(match);
    }

    @Test
    void acceptsSimilarityAndActivationBounds() {
        assertThat(match(OptionalDouble.of(0.0), OptionalDouble.of(-1.0), Map.of())
                        .similarity())
                .hasValue(-1.0);
        assertThat(match(OptionalDouble.of(1.0), OptionalDouble.of(1.0), Map.of())
                        .activation())
                .hasValue(1.0);
    }

    @Test
    void rejectsActivationOutOfRange() {
        assertThatThrownBy(() -> match(OptionalDouble.of(1.2), OptionalDouble.empty(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("activation must be in [0.0, 1.0], got 1.2");
        assertThatThrownBy(() -> match(OptionalDouble.of(Double.NaN), OptionalDouble.empty(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("activation must be in [0.0, 1.0], got NaN");
    }

    @Test
    void rejectsSimilarityOutOfRange() {
        assertThatThrownBy(() -> match(OptionalDouble.empty(), OptionalDouble.of(-1.5), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("similarity must be in [-1.0, 1.0], got -1.5");
    }

    @Test
    void copiesTheFields() {
        Map<String, String> fields = new HashMap<>(Map.of("k", "v"));
        Match match = match(OptionalDouble.empty(), OptionalDouble.empty(), fields);

        fields.put("k2", "v2");

        assertThat(match.fields()).containsOnly(Map.entry("k", "v"));
    }

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> Match.of(null, S1, Confidence.HIGH, "c"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("memory id is null");
        assertThatThrownBy(() -> Match.of(M1, null, Confidence.HIGH, "c"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("space is null");
        assertThatThrownBy(() -> Match.of(M1, S1, null, "c"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("confidence is null");
        assertThatThrownBy(() -> Match.of(M1, S1, Confidence.HIGH, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("content is null");
        assertThatThrownBy(() -> new Match(
                        M1, S1, Confidence.HIGH, "c", null, OptionalDouble.empty(), Map.of(), Optional.empty()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("activation is null");
        assertThatThrownBy(() -> new Match(
                        M1, S1, Confidence.HIGH, "c", OptionalDouble.empty(), null, Map.of(), Optional.empty()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("similarity is null");
        assertThatThrownBy(() -> match(OptionalDouble.empty(), OptionalDouble.empty(), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("fields is null");
        assertThatThrownBy(() -> new Match(
                        M1, S1, Confidence.HIGH, "c", OptionalDouble.empty(), OptionalDouble.empty(), Map.of(), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("embedding is null");
    }

    private static Match match(OptionalDouble activation, OptionalDouble similarity, Map<String, String> fields) {
        return new Match(M1, S1, Confidence.HIGH, "c", activation, similarity, fields, Optional.empty());
    }
}
