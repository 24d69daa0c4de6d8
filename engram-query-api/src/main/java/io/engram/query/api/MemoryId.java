package io.engram.query.api;

/**
 * Identifies a memory. Unique across the cluster; a memory belongs to exactly one space.
 *
 * @param value 1 to 256 characters of {@code [A-Za-z0-9._:-]}, starting with a letter or digit
 */
public record MemoryId(String value) implements Comparable<MemoryId> {
    public static final int MAX_LENGTH = 256;

    public MemoryId {
        Identifiers.check("memory id", value, MAX_LENGTH);
    }

    public static MemoryId of(String value) {
        return new MemoryId(value);
    }

    @Override
    public int compareTo(MemoryId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
