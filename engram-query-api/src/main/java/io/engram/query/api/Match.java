package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One memory in an answer.
 *
 * @param memoryId the memory
 * @param space the space it belongs to
 * @param confidence how well it answers the query (similarity, activation or completion score)
 * @param content the memory's content
 * @param activation for spread: the activation that reached it
 * @param similarity for recall, complete and imagine: the raw cosine similarity in [-1, 1]
 * @param fields the memory's metadata fields (returned by complete; may be empty otherwise)
 * @param embedding the memory's full embedding (returned by complete; empty otherwise)
 */
public record Match(
        MemoryId memoryId,
        MemorySpaceId space,
        Confidence confidence,
        String content,
        OptionalDouble activation,
        OptionalDouble similarity,
        Map<String, String> fields,
        Optional<Embedding> embedding) {
    public Match {
        requireNonNull(memoryId, "memory id is null");
        requireNonNull(space, "space is null");
        requireNonNull(confidence, "confidence is null");
        requireNonNull(content, "content is null");
        requireNonNull(activation, "activation is null");
        requireNonNull(similarity, "similarity is null");
        activation.ifPresent(a -> Query.checkRange("activation", a, 0.0, 1.0));
        similarity.ifPresent(s -> Query.checkRange("similarity", s, -1.0, 1.0));
        fields = Map.copyOf(requireNonNull(fields, "fields is null"));
        requireNonNull(embedding, "embedding is null");
    }

    /** A match with only the essentials. */
    public static Match of(MemoryId memoryId, MemorySpaceId space, Confidence confidence, String content) {
        return new Match(
                memoryId,
                space,
                confidence,
                content,
                OptionalDouble.empty(),
                OptionalDouble.empty(),
                Map.of(),
                Optional.empty());
    }

    public Match withConfidence(Confidence newConfidence) {
        return new Match(memoryId, space, newConfidence, content, activation, similarity, fields, embedding);
    }
}
