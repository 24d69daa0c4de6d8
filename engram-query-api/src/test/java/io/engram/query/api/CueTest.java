package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CueTest {
    private static final Embedding EMBEDDING = Embedding.of(1f, 0f);

    @Test
    void holdsAnEmbeddingAContentOrBoth() {
        assertThat(Cue.of(EMBEDDING).embedding()).contains(EMBEDDING);
        assertThat(Cue.of(EMBEDDING).content()).isEmpty();
        assertThat(Cue.of("coffee").content()).contains("coffee");
        assertThat(Cue.of("coffee").embedding()).isEmpty();
        Cue both = new Cue(Optional.of(EMBEDDING), Optional.of("coffee"));
        assertThat(both.embedding()).contains(EMBEDDING);
        assertThat(both.content()).contains("coffee");
    }

    @Test
    void rejectsNeitherEmbeddingNorContent() {
        assertThatThrownBy(() -> new Cue(Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cue must have an embedding, a content text, or both");
    }

    @Test
    void rejectsNullOptionals() {
        assertThatThrownBy(() -> new Cue(null, Optional.of("x")))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("cue embedding is null");
        assertThatThrownBy(() -> new Cue(Optional.of(EMBEDDING), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("cue content is null");
    }

    @Test
    void factoriesRejectNullWithAMessage() {
        assertThatThrownBy(() -> Cue.of((Embedding) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("cue embedding is null");
        assertThatThrownBy(() -> Cue.of((String) null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("cue content is null");
    }

    @Test
    void rejectsBlankContent() {
        assertThatThrownBy(() -> Cue.of(" \t\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cue content must not be blank");
        assertThatThrownBy(() -> Cue.of(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cue content must not be blank");
    }

    @Test
    void acceptsContentUpToMaxLengthAndRejectsOneMore() {
        assertThat(Cue.of("c".repeat(Cue.MAX_CONTENT_LENGTH)).content())
                .get()
                .asString()
                .hasSize(4096);
        assertThatThrownBy(() -> Cue.of("c".repeat(4097)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cue content must be at most 4096 characters, got 4097");
    }
}
