package io.engram.query.planner.membership;

import io.engram.query.api.NodeId;

/** Told what the membership protocol learns, on the thread that learned it; must be quick and thread-safe. */
public interface MembershipListener {
    /** {@code node} answered this node directly, or news said it is alive at a newer incarnation. */
    void alive(NodeId node);

    /** {@code node} was declared dead (here, or by news from another node). */
    void dead(NodeId node);

    MembershipListener NONE = new MembershipListener() {
        @Override
        public void alive(NodeId node) {}

        @Override
        public void dead(NodeId node) {}
    };
}
