package io.engram.query.spi;

import io.engram.query.api.Deadline;
import io.engram.query.api.NodeId;
import java.util.List;

/** What a {@link PlanningStrategy} may consult while planning one query. */
public interface PlanningContext {
    /** The coordinator's own node. */
    NodeId localNode();

    SpaceDirectory directory();

    PartitionDetector detector();

    /** The query's deadline, to be put in the plan. */
    Deadline deadline();

    /** {@code query.max_fanout}: the most exchanges in flight at once (a node request counts once). */
    int maxFanout();

    /**
     * The reachable copies of a space in the order to try them: this node first when it holds a copy, then by
     * observed latency score; the primary wins ties. Unreachable nodes and nodes whose circuit breaker is open are
     * left out, so the list may be empty.
     */
    List<NodeId> orderedReplicas(SpaceAssignment assignment);
}
