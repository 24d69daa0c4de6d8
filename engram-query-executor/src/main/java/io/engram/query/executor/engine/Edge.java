package io.engram.query.executor.engine;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemoryId;

/**
 * A weighted, directed edge from one memory to another; spreading activation multiplies by the weight.
 *
 * @param to the target memory, in the same space or in another one
 * @param weight in [0, 1]
 */
public record Edge(MemoryId to, double weight) {
    public Edge {
        requireNonNull(to, "edge target is null");
        if (!(weight >= 0.0 && weight <= 1.0)) {
            throw new IllegalArgumentException("edge weight must be in [0, 1], got " + weight);
        }
    }

    public static Edge of(String to, double weight) {
        return new Edge(MemoryId.of(to), weight);
    }
}
