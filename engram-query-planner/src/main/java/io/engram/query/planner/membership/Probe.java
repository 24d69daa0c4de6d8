package io.engram.query.planner.membership;

import io.engram.query.api.NodeId;
import java.util.List;

/** A message that asks for an {@link Ack}: a direct {@link Ping} or an indirect {@link PingRequest}. */
public sealed interface Probe permits Ping, PingRequest {
    NodeId from();

    long incarnation();

    List<Gossip> gossip();

    /** Incarnations only grow from 0: a negative one is a broken or hostile sender's. */
    static void checkIncarnation(long incarnation) {
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation must be >= 0, got " + incarnation);
        }
    }
}
