package io.engram.query.executor.engine;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemorySpaceId;

/**
 * Where a memory lives in a {@link MemoryStore}.
 *
 * @param segment the space's segment
 * @param index the memory's position in the segment
 */
public record MemoryLocation(SpaceSegment segment, int index) {
    public MemoryLocation {
        requireNonNull(segment, "segment is null");
        if (index < 0 || index >= segment.size()) {
            throw new IllegalArgumentException("index must be in [0, " + segment.size() + "), got " + index);
        }
    }

    public MemorySpaceId space() {
        return segment.space();
    }
}
