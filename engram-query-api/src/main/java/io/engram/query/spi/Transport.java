package io.engram.query.spi;

import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import java.util.List;
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

    /**
     * Whether {@link #executeAll} sends a node's partitions in one exchange. The coordinator then sends one request per
     * node and round; otherwise (the default) one per partition.
     */
    default boolean batches() {
        return false;
    }

    /**
     * Asks {@code node} to run every partition of {@code request}. The future completes with one reply per partition,
     * in the request's order, once the node answered: a partition that failed there is a failed reply, the others
     * answered. It fails with a {@link TransportException} when the exchange itself failed (the node unreachable, a
     * timeout, garbage), which then applies to every partition. Cancelling it aborts the exchange.
     *
     * <p>The default sends each partition with {@link #execute} and gathers the replies.
     */
    default CompletableFuture<List<PartitionReply>> executeAll(NodeId node, NodeRequest request) {
        return PartitionReply.gather(request, partition -> execute(node, partition));
    }

    @Override
    default void close() {}
}
