package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What a recall looks for: an embedding, a content text, or both.
 *
 * @param embedding compared by cosine similarity
 * @param content a text that a match's content must contain (case-insensitive); at most 4,096 characters
 */
public record Cue(Optional<Embedding> embedding, Optional<String> content) {
    public static final int MAX_CONTENT_LENGTH = 4096;

    public Cue {
        requireNonNull(embedding, "cue embedding is null");
        requireNonNull(content, "cue content is null");
        if (embedding.isEmpty() && content.isEmpty()) {
            throw new IllegalArgumentException("cue must have an embedding, a content text, or both");
        }
        content.ifPresent(c -> {
            if (c.isBlank()) {
                throw new IllegalArgumentException("cue content must not be blank");
            }
            if (c.length() > MAX_CONTENT_LENGTH) {
                throw new IllegalArgumentException(
                        "cue content must be at most " + MAX_CONTENT_LENGTH + " characters, got " + c.length());
            }
        });
    }

    public static Cue of(Embedding embedding) {
        return new Cue(Optional.of(requireNonNull(embedding, "cue embedding is null")), Optional.empty());
    }

    public static Cue of(String content) {
        return new Cue(Optional.empty(), Optional.of(requireNonNull(content, "cue content is null")));
    }
}
