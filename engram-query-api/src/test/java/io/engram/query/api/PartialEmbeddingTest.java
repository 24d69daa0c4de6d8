package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartialEmbeddingTest {
    @Test
    void treatsNullsAsUnknownDimensions() {
        PartialEmbedding partial = PartialEmbedding.of(Arrays.asList(0.5, null, -1.0, null));

        assertThat(partial.dimensions()).isEqualTo(4);
        assertThat(partial.knownCount()).isEqualTo(2);
        assertThat(partial.isKnown(0)).isTrue();
        assertThat(partial.isKnown(1)).isFalse();
        assertThat(partial.get(2)).isEqualTo(-1f);
        assertThat(partial.get(1)).isZero();
        assertThat(partial).hasToString("PartialEmbedding[2 of 4 dimensions known]");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> PartialEmbedding.of(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partial embedding is null");
    }

    @Test
    void rejectsEmptyAndTooManyDimensions() {
        assertThatThrownBy(() -> PartialEmbedding.of(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partial embedding must have 1 to 65536 dimensions, got 0");
        List<Double> tooMany = Collections.nCopies(Embedding.MAX_DIMENSIONS + 1, 0.0);
        assertThatThrownBy(() -> PartialEmbedding.of(tooMany))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partial embedding must have 1 to 65536 dimensions, got 65537");
    }

    @Test
    void rejectsNoKnownDimension() {
        assertThatThrownBy(() -> PartialEmbedding.of(Arrays.asList(null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partial embedding must have at least one known dimension");
    }

    @Test
    void rejectsNaNAndInfinityNamingTheIndex() {
        assertThatThrownBy(() -> PartialEmbedding.of(Arrays.asList(null, Double.NaN)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partial embedding[1] must be a finite number or null, got NaN");
        assertThatThrownBy(() -> PartialEmbedding.of(List.of(Float.POSITIVE_INFINITY)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partial embedding[0] must be a finite number or null, got Infinity");
    }

    @Test
    void rejectsADoubleTooLargeForAFloat() {
        assertThatThrownBy(() -> PartialEmbedding.of(List.of(-1e40)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partial embedding[0] must fit in a 32-bit float, got -1.0E40");
    }

    @Test
    void copiesTheInputList() {
        List<Double> input = new ArrayList<>(Arrays.asList(1.0, null));
        PartialEmbedding partial = PartialEmbedding.of(input);

        input.set(0, 9.0);
        input.set(1, 9.0);

        assertThat(partial.get(0)).isEqualTo(1f);
        assertThat(partial.isKnown(1)).isFalse();
    }

    @Test
    void equalsDistinguishesUnknownFromZero() {
        PartialEmbedding withUnknown = PartialEmbedding.of(Arrays.asList(1.0, null));
        PartialEmbedding withZero = PartialEmbedding.of(List.of(1.0, 0.0));

        assertThat(withUnknown).isNotEqualTo(withZero);
        assertThat(withUnknown)
                .isEqualTo(PartialEmbedding.of(Arrays.asList(1f, null)))
                .hasSameHashCodeAs(PartialEmbedding.of(Arrays.asList(1f, null)));
    }

    @Test
    void requireDimensionsNamesTheFieldAndBothLengths() {
        PartialEmbedding partial = PartialEmbedding.of(List.of(1.0, 2.0));

        assertThat(partial.requireDimensions("partial embedding", 2)).isSameAs(partial);
        assertThatThrownBy(() -> partial.requireDimensions("partial embedding", 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partial embedding must have 3 dimensions, got 2");
    }
}
