package io.engram.query.api;

import static java.util.Objects.requireNonNull;

/**
 * A seed of an imagine and its embedding, as a partition returns it to a coordinator that blends the seeds of every
 * node into one cue.
 *
 * @param memory the seed
 * @param embedding its full embedding
 */
public record SeedEmbedding(MemoryId memory, Embedding embedding) {
    public SeedEmbedding {
        requireNonNull(memory, "memory is null");
        requireNonNull(embedding, "embedding is null");
    }
}
