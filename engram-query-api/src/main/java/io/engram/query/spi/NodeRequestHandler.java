package io.engram.query.spi;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs, on this node, the node requests a peer sent over a transport's own listener ({@link TransportFactory#serve}).
 * Each request's partitions carry a deadline fixed from the caller's remaining time.
 */
@FunctionalInterface
public interface NodeRequestHandler {
    /**
     * Runs every partition of {@code request} and answers one reply per partition, in order (a partition that failed
     * here is a failed reply). Fails with a {@link TransportException} when the whole request is refused (this node at
     * its admission cap: {@link TransportException#overloaded}), with {@link IllegalArgumentException} for a request
     * this node can not run. The transport cancels the future when the caller cancels or goes away.
     */
    CompletableFuture<List<PartitionReply>> execute(NodeRequest request);
}
