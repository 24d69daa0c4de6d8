package io.engram.query.planner.membership;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;

/**
 * One piece of news about a node, carried on later messages: its state at an incarnation. Only the node itself raises
 * its incarnation (to refute a suspicion), so a higher incarnation always wins, and at the same incarnation {@code
 * DEAD} beats {@code SUSPECT} beats {@code ALIVE}.
 */
public record Gossip(NodeId node, MemberState state, long incarnation) {
    public Gossip {
        requireNonNull(node, "node is null");
        requireNonNull(state, "state is null");
        Probe.checkIncarnation(incarnation);
    }

    /** Whether this news replaces what is known ({@code known}) about the same node. */
    boolean overrides(MemberState knownState, long knownIncarnation) {
        if (incarnation != knownIncarnation) {
            return incarnation > knownIncarnation;
        }
        return state.ordinal() > knownState.ordinal();
    }
}
