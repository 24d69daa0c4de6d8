package io.engram.query.spi;

import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import java.util.concurrent.CompletableFuture;

/**
 * Sends partition requests to other nodes. Implementations must not block the caller, must honour the request's
 * deadline, and must treat {@code cancel} on the returned future as a request to abort the call.
 */
public interface Transport extends AutoCloseable {
    /**
     * Asks {@code node} to run {@code request}. The future fails with a {@link TransportException} that says whether
     * the failure is worth retrying; a peer's malformed or oversized answer is a {@code FAILED} exception, never an
     * unchecked crash.
     */
    CompletableFuture<PartialResult> execute(NodeId node, PartitionRequest request);

    @Override
    default void close() {}
}
