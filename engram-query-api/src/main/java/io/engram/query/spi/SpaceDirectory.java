package io.engram.query.spi;

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
}
