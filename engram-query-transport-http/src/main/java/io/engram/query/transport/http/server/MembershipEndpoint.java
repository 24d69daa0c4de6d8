package io.engram.query.transport.http.server;

import java.util.concurrent.CompletableFuture;

/**
 * Serves {@code POST /internal/v1/membership}: one message of the peer-health protocol in (JSON), its answer out.
 * Guarded by the cluster token like every node-to-node endpoint.
 */
@FunctionalInterface
public interface MembershipEndpoint {
    /** Answers {@code body}; a {@link io.engram.query.transport.http.json.WireFormatException} says it was malformed (400). */
    CompletableFuture<byte[]> answer(byte[] body);

    /** For a server without peers to follow: every message gets 404. */
    MembershipEndpoint NONE = body -> CompletableFuture.failedFuture(new ProblemException(
            Problem.of(404, "Not Found", "this server follows no peers' health: it answers no membership message")));
}
