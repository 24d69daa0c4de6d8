package io.engram.query.planner;

import io.engram.query.api.Deadline;
import io.engram.query.api.NodeId;
import io.engram.query.planner.replica.ReplicaSelector;
import io.engram.query.spi.PartitionDetector;
import io.engram.query.spi.PlanningContext;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.SpaceDirectory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The context of one plan. Each node's usability is asked once per plan and remembered, so a broadcast over many
 * spaces sees one consistent view of the cluster and asks the detector and the breakers once per node, not per copy.
 * Not thread-safe: a strategy plans on the calling thread.
 */
final class PlannerContext implements PlanningContext {
    private final NodeId localNode;
    private final SpaceDirectory directory;
    private final PartitionDetector detector;
    private final CircuitBreakerView breakers;
    private final ReplicaSelector selector;
    private final Deadline deadline;
    private final int maxFanout;
    private final Map<NodeId, Boolean> usable = new HashMap<>();

    PlannerContext(
            NodeId localNode,
            SpaceDirectory directory,
            PartitionDetector detector,
            CircuitBreakerView breakers,
            ReplicaSelector selector,
            Deadline deadline,
            int maxFanout) {
        this.localNode = localNode;
        this.directory = directory;
        this.detector = detector;
        this.breakers = breakers;
        this.selector = selector;
        this.deadline = deadline;
        this.maxFanout = maxFanout;
    }

    @Override
    public NodeId localNode() {
        return localNode;
    }

    @Override
    public SpaceDirectory directory() {
        return directory;
    }

    @Override
    public PartitionDetector detector() {
        return detector;
    }

    @Override
    public Deadline deadline() {
        return deadline;
    }

    @Override
    public int maxFanout() {
        return maxFanout;
    }

    @Override
    public List<NodeId> orderedReplicas(SpaceAssignment assignment) {
        return selector.order(assignment, localNode, this::isUsable);
    }

    private boolean isUsable(NodeId node) {
        Boolean known = usable.get(node);
        if (known == null) {
            known = !breakers.isOpen(node) && (detector.isReachable(node) || detector.tryAdmitTrial(node));
            usable.put(node, known);
        }
        return known;
    }
}
