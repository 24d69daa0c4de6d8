package io.engram.query.planner.membership;

import io.engram.query.api.NodeId;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * How membership messages travel: over HTTP between node processes, through an event queue in a simulation. Each
 * returned future must complete within {@code timeout}, with the answer or exceptionally (no answer, refused).
 */
public interface MembershipNetwork {
    CompletableFuture<Ack> ping(NodeId target, Ping ping, Duration timeout);

    /** Asks {@code via} to probe {@code request.target()}; {@code via} waits up to its own probe timeout. */
    CompletableFuture<Ack> pingRequest(NodeId via, PingRequest request, Duration timeout);
}
