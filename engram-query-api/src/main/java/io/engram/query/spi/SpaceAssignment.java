package io.engram.query.spi;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a space lives.
 *
 * @param space the space
 * @param primary the node holding the primary copy
 * @param replicas the nodes holding replicas, without the primary, no duplicates
 */
public record SpaceAssignment(MemorySpaceId space, NodeId primary, List<NodeId> replicas) {
    public SpaceAssignment {
        requireNonNull(space, "space is null");
        requireNonNull(primary, "primary is null");
        replicas = List.copyOf(requireNonNull(replicas, "replicas is null"));
        Set<NodeId> seen = new HashSet<>();
        seen.add(primary);
        for (NodeId r : replicas) {
            if (!seen.add(r)) {
                throw new IllegalArgumentException(
                        "space '" + space + "' lists node '" + r + "' twice among its primary and replicas");
            }
        }
    }

    /** Primary first, then the replicas. */
    public List<NodeId> copies() {
        List<NodeId> all = new ArrayList<>(replicas.size() + 1);
        all.add(primary);
        all.addAll(replicas);
        return all;
    }

    public boolean isHeldBy(NodeId node) {
        return primary.equals(node) || replicas.contains(node);
    }
}
