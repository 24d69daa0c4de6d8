package io.engram.query.planner.membership;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import java.util.List;

/**
 * A probe: "are you there?" from {@code from} at its incarnation, with news piggybacked. Answered with an {@link Ack}.
 */
public record Ping(NodeId from, long incarnation, List<Gossip> gossip) implements Probe {
    public Ping {
        requireNonNull(from, "from is null");
        Probe.checkIncarnation(incarnation);
        gossip = List.copyOf(requireNonNull(gossip, "gossip is null"));
    }
}
