package io.engram.query.transport.tcp.codec;

import io.engram.query.api.MemorySpaceId;
import io.netty.buffer.ByteBuf;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The writing side of a payload's space table: every space id the payload names, once, in the order first added;
 * the payload then refers to each by its index (see {@link PayloadReader#spaceTable}).
 */
final class SpaceTable {
    private final Map<MemorySpaceId, Integer> indexes = new LinkedHashMap<>();

    void add(MemorySpaceId space) {
        indexes.putIfAbsent(space, indexes.size());
    }

    void write(ByteBuf out) {
        PayloadWriter.varInt(out, indexes.size());
        for (MemorySpaceId space : indexes.keySet()) {
            PayloadWriter.string(out, space.value());
        }
    }

    /** Writes {@code space} as its index; it must have been {@linkplain #add added}. */
    void writeIndex(ByteBuf out, MemorySpaceId space) {
        Integer index = indexes.get(space);
        if (index == null) {
            throw new IllegalStateException("space '" + space + "' is not in the table");
        }
        PayloadWriter.varInt(out, index);
    }
}
