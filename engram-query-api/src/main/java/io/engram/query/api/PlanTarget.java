package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One partition to query and the copies that can answer it, in the order the executor tries them (failover and
 * hedging walk this list).
 *
 * @param space the partition's space
 * @param replicas reachable copies, best first; at least one, no duplicates
 */
public record PlanTarget(MemorySpaceId space, List<NodeId> replicas) {
    public PlanTarget {
        requireNonNull(space, "space is null");
        replicas = DistinctEntries.check("replicas of ", space, replicas, 1, 1024);
    }

    /** The first choice. */
    public NodeId preferred() {
        return replicas.get(0);
    }
}
