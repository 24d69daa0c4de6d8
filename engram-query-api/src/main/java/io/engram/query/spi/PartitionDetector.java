package io.engram.query.spi;

import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import java.time.Duration;

/**
 * Says whether nodes are reachable. Implemented by the host or by the embedded detector fed by call outcomes. The
 * executor reports every call's outcome through the {@code record} methods; a host detector may ignore them.
 * Must be thread-safe.
 */
public interface PartitionDetector {
    boolean isReachable(NodeId node);

    ClusterState state();

    /**
     * Asked by the planner about a node {@link #isReachable} calls unreachable: {@code true} lets one plan include it
     * as a trial call (half-open), so a detector fed only by call outcomes can see the node come back. Each
     * {@code true} is one trial; the default admits none (a host detector with its own probing needs no trials).
     */
    default boolean tryAdmitTrial(NodeId node) {
        return false;
    }

    /** A call to {@code node} succeeded after {@code latency}. */
    default void recordSuccess(NodeId node, Duration latency) {}

    /** A call to {@code node} failed for {@code reason}. */
    default void recordFailure(NodeId node, MissingReason reason) {}
}
