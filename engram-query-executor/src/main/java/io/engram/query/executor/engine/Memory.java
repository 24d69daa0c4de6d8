package io.engram.query.executor.engine;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Confidence;
import io.engram.query.api.Embedding;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import java.util.List;
import java.util.Map;

/**
 * One memory as it is loaded into a {@link MemoryStore}.
 *
 * @param id unique across the store
 * @param space the space it belongs to
 * @param embedding its vector; every memory of a store has the store's dimensions
 * @param content its text
 * @param confidence the memory's own confidence (used by content-only recall)
 * @param fields metadata matched exactly by pattern completion
 * @param edges weighted edges to other memories, in any space
 */
public record Memory(
        MemoryId id,
        MemorySpaceId space,
        Embedding embedding,
        String content,
        Confidence confidence,
        Map<String, String> fields,
        List<Edge> edges) {
    public Memory {
        requireNonNull(id, "memory id is null");
        requireNonNull(space, "space is null");
        requireNonNull(embedding, "embedding is null");
        requireNonNull(content, "content is null");
        requireNonNull(confidence, "confidence is null");
        fields = Map.copyOf(requireNonNull(fields, "fields is null"));
        edges = List.copyOf(requireNonNull(edges, "edges is null"));
    }
}
