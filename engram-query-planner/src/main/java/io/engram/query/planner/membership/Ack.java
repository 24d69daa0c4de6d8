package io.engram.query.planner.membership;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import java.util.List;

/**
 * The answer to a {@link Ping} ({@code targetReached} is then always true) or a {@link PingRequest} (whether the
 * target answered the node asked to probe it), from {@code from} at its incarnation, with news piggybacked.
 */
public record Ack(NodeId from, long incarnation, boolean targetReached, List<Gossip> gossip) {
    public Ack {
        requireNonNull(from, "from is null");
        Probe.checkIncarnation(incarnation);
        gossip = List.copyOf(requireNonNull(gossip, "gossip is null"));
    }
}
