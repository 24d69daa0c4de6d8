package io.engram.query.spi;

import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import java.util.List;
import java.util.Optional;

/**
 * The cluster's map of spaces to nodes, implemented by the host (Engram) or by the embedded static directory.
 * Must be thread-safe; reads should be cheap (the planner calls it on every query).
 */
public interface SpaceDirectory {
    /** Where {@code space} lives, or empty when the cluster has no such space. */
    Optional<SpaceAssignment> assignment(MemorySpaceId space);

    /** Every space of the cluster, in a stable order. */
    List<SpaceAssignment> assignments();

    /**
     * The space holding {@code memory}, when the directory can tell (memory ids do not carry their space in general).
     * A distributed spread uses it to send seeds and frontier activation only to the spaces holding them; without it
     * they go to every space of the spread. Empty by default.
     */
    default Optional<MemorySpaceId> spaceOf(MemoryId memory) {
        return Optional.empty();
    }
}
