package io.engram.query.planner.membership;

import io.engram.query.api.NodeId;

/** What query traffic proves: a node that answered a call since a moment needs no probe now. */
@FunctionalInterface
public interface TrafficEvidence {
    /** Whether {@code node} answered a call of this node at or after {@code sinceNanos} (the protocol's ticker). */
    boolean answeredSince(NodeId node, long sinceNanos);

    TrafficEvidence NONE = (node, since) -> false;
}
