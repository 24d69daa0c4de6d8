package io.engram.query.planner.membership;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import java.util.List;

/**
 * An indirect probe: {@code from} did not hear from {@code target} and asks the receiver to ping it on its behalf.
 * Answered with an {@link Ack} whose {@link Ack#targetReached} says whether the target answered the receiver.
 */
public record PingRequest(NodeId from, long incarnation, NodeId target, List<Gossip> gossip) implements Probe {
    public PingRequest {
        requireNonNull(from, "from is null");
        Probe.checkIncarnation(incarnation);
        requireNonNull(target, "target is null");
        gossip = List.copyOf(requireNonNull(gossip, "gossip is null"));
    }
}
