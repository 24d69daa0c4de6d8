package io.engram.query.transport.tcp.codec;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Embedding;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Bounds on what {@link BinaryCodec} reads, so that a hostile or broken peer can not make a decoder allocate without
 * limit. Every length and count is checked against these and against the bytes left in the buffer before anything is
 * allocated for it. Writing is not bounded: the reader's limits are the ones that count.
 *
 * @param maxStringBytes the longest string (id, content, name, message), in UTF-8 bytes
 * @param maxListEntries the most entries in any list or map (spaces, seeds, partitions, matches, frontier, fields)
 * @param maxEmbeddingDimensions the most dimensions of an embedding, in [1, {@value Embedding#MAX_DIMENSIONS}]
 * @param dimensions when present, every embedding (and partial embedding) must have exactly this many dimensions, as
 *     the JSON path's {@code WireLimits.dimensions} asks
 */
public record CodecLimits(
        int maxStringBytes, int maxListEntries, int maxEmbeddingDimensions, Optional<Integer> dimensions) {
    /**
     * What the JSON path accepts by default: 65,536 entries per list and dimensions per embedding, and strings of
     * 65,536 characters, which take at most 196,608 bytes of UTF-8 (rounded up to 256 KiB).
     */
    public static final CodecLimits DEFAULTS =
            new CodecLimits(256 * 1024, 65_536, Embedding.MAX_DIMENSIONS, Optional.empty());

    public CodecLimits {
        requireNonNull(dimensions, "dimensions is null");
        List<String> problems = new ArrayList<>();
        if (maxStringBytes < 1) {
            problems.add("max string bytes must be >= 1, got " + maxStringBytes);
        }
        if (maxListEntries < 1) {
            problems.add("max list entries must be >= 1, got " + maxListEntries);
        }
        if (maxEmbeddingDimensions < 1 || maxEmbeddingDimensions > Embedding.MAX_DIMENSIONS) {
            problems.add("max embedding dimensions must be in [1, " + Embedding.MAX_DIMENSIONS + "], got "
                    + maxEmbeddingDimensions);
        }
        dimensions.ifPresent(d -> {
            if (d < 1 || d > maxEmbeddingDimensions) {
                problems.add("dimensions must be in [1, " + maxEmbeddingDimensions + "], got " + d);
            }
        });
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid codec limits: " + String.join("; ", problems));
        }
    }

    /** These limits with every embedding required to have {@code expected} dimensions. */
    public CodecLimits withDimensions(int expected) {
        return new CodecLimits(maxStringBytes, maxListEntries, maxEmbeddingDimensions, Optional.of(expected));
    }
}
