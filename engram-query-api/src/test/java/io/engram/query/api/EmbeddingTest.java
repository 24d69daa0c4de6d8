package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmbeddingTest {
    @Test
    void holdsTheGivenValues() {
        Embedding embedding = Embedding.of(0.5f, -1f, 2f);

        assertThat(embedding.dimensions()).isEqualTo(3);
        assertThat(embedding.get(1)).isEqualTo(-1f);
        assertThat(embedding.toArray()).containsExactly(0.5f, -1f, 2f);
        assertThat(embedding).hasToString("Embedding[3 dimensions]");
    }

    @Test
    void buildsFromAListOfNumbers() {
        assertThat(Embedding.of(List.of(1, 0.5, 2.5f))).isEqualTo(Embedding.of(1f, 0.5f, 2.5f));
    }

    @Test
    void rejectsNullArrayAndList() {
        assertThatThrownBy(() -> Embedding.of((float[]) null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("embedding is null");
        assertThatThrownBy(() -> Embedding.of((List<Number>) null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("embedding is null");
    }

    @Test
    void rejectsANullElement() {
        assertThatThrownBy(() -> Embedding.of(Arrays.asList(1.0, null, 2.0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("embedding[1] is null");
    }

    @Test
    void rejectsNaNNamingTheIndex() {
        assertThatThrownBy(() -> Embedding.of(1f, 2f, Float.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("embedding[2] must be a finite number, got NaN");
    }

    @Test
    void rejectsInfinities() {
        assertThatThrownBy(() -> Embedding.of(Float.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("embedding[0] must be a finite number, got Infinity");
        assertThatThrownBy(() -> Embedding.of(List.of(0.0, Double.NEGATIVE_INFINITY)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("embedding[1] must be a finite number, got -Infinity");
    }

    @Test
    void rejectsADoubleTooLargeForAFloat() {
        assertThatThrownBy(() -> Embedding.of(List.of(1.0, 1e300)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("embedding[1] must fit in a 32-bit float, got 1.0E300");
    }

    @Test
    void rejectsEmpty() {
        assertThatThrownBy(() -> Embedding.of())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("embedding must have 1 to 65536 dimensions, got 0");
        assertThatThrownBy(() -> Embedding.of(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("embedding must have 1 to 65536 dimensions, got 0");
    }

    @Test
    void acceptsMaxDimensionsAndRejectsOneMore() {
        assertThat(Embedding.of(new float[Embedding.MAX_DIMENSIONS]).dimensions())
                .isEqualTo(65_536);
        assertThatThrownBy(() -> Embedding.of(new float[Embedding.MAX_DIMENSIONS + 1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("embedding must have 1 to 65536 dimensions, got 65537");
    }

    @Test
    void copiesTheInputArray() {
        float[] input = {1f, 2f};
        Embedding embedding = Embedding.of(input);

        input[0] = 99f;

        assertThat(embedding.get(0)).isEqualTo(1f);
    }

    @Test
    void toArrayReturnsACopy() {
        Embedding embedding = Embedding.of(1f, 2f);

        embedding.toArray()[0] = 99f;

        assertThat(embedding.get(0)).isEqualTo(1f);
    }

    @Test
    void equalsAndHashCodeFollowTheValues() {
        Embedding a = Embedding.of(1f, 2f);
        Embedding b = Embedding.of(List.of(1.0, 2.0));

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(Embedding.of(1f, 2.5f));
        assertThat(a).isNotEqualTo(Embedding.of(1f, 2f, 0f));
        assertThat(a).isNotEqualTo("Embedding[2 dimensions]");
    }

    @Test
    void requireDimensionsReturnsItselfWhenTheLengthMatches() {
        Embedding embedding = Embedding.of(1f, 2f, 3f);

        assertThat(embedding.requireDimensions("cue embedding", 3)).isSameAs(embedding);
    }

    @Test
    void requireDimensionsNamesTheFieldAndBothLengths() {
        assertThatThrownBy(() -> Embedding.of(1f, 2f).requireDimensions("cue embedding", 384))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cue embedding must have 384 dimensions, got 2");
    }
}
