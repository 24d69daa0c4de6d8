package io.engram.query.planner;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.SpaceDirectory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An in-memory directory the test fills space by space. */
final class FakeSpaceDirectory implements SpaceDirectory {
    private final Map<MemorySpaceId, SpaceAssignment> spaces = new LinkedHashMap<>();

    FakeSpaceDirectory put(String space, String primary, String... replicas) {
        List<NodeId> replicaIds = new ArrayList<>();
        for (String replica : replicas) {
            replicaIds.add(NodeId.of(replica));
        }
        spaces.put(
                MemorySpaceId.of(space), new SpaceAssignment(MemorySpaceId.of(space), NodeId.of(primary), replicaIds));
        return this;
    }

    @Override
    public Optional<SpaceAssignment> assignment(MemorySpaceId space) {
        return Optional.ofNullable(spaces.get(space));
    }

    @Override
    public List<SpaceAssignment> assignments() {
        return List.copyOf(spaces.values());
    }
}
