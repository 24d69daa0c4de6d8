package io.engram.query.planner;

import io.engram.query.api.NodeId;
import io.engram.query.spi.ClusterState;
import io.engram.query.spi.PartitionDetector;
import java.util.HashSet;
import java.util.Set;

/** Every node reachable unless the test marks it down. */
final class FakePartitionDetector implements PartitionDetector {
    private final Set<NodeId> down = new HashSet<>();

    FakePartitionDetector down(String... nodes) {
        for (String node : nodes) {
            down.add(NodeId.of(node));
        }
        return this;
    }

    @Override
    public boolean isReachable(NodeId node) {
        return !down.contains(node);
    }

    @Override
    public ClusterState state() {
        return down.isEmpty() ? ClusterState.CONNECTED : ClusterState.PARTITIONED;
    }
}
