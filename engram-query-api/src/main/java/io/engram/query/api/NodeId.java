package io.engram.query.api;

/**
 * Identifies a node of the cluster.
 *
 * @param value 1 to 64 characters of {@code [A-Za-z0-9._:-]}, starting with a letter or digit
 */
public record NodeId(String value) implements Comparable<NodeId> {
    public static final int MAX_LENGTH = 64;

    public NodeId {
        Identifiers.check("node id", value, MAX_LENGTH);
    }

    public static NodeId of(String value) {
        return new NodeId(value);
    }

    @Override
    public int compareTo(NodeId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
