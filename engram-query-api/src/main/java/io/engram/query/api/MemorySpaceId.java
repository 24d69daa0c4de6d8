package io.engram.query.api;

/**
 * Identifies a memory space: a tenant of the memory graph and the unit of partitioning.
 *
 * @param value 1 to 128 characters of {@code [A-Za-z0-9._:-]}, starting with a letter or digit
 */
public record MemorySpaceId(String value) implements Comparable<MemorySpaceId> {
    public static final int MAX_LENGTH = 128;

    public MemorySpaceId {
        Identifiers.check("memory space id", value, MAX_LENGTH);
    }

    public static MemorySpaceId of(String value) {
        return new MemorySpaceId(value);
    }

    @Override
    public int compareTo(MemorySpaceId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
