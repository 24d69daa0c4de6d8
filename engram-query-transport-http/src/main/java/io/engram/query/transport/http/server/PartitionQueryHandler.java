package io.engram.query.transport.http.server;

import io.engram.query.api.PartialResult;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the partition requests other nodes send: one to {@code POST /internal/v1/partition-query}, or every partition
 * a node serves for one round of a query in one node request. In the node runtime, the local query engine on the
 * executor's compute threads. The request's deadline was fixed from the caller's remaining time. The future should
 * complete by the deadline; it is cancelled when the caller goes away. Fail it with an
 * {@link IllegalArgumentException} for a request this node can not run (a space it does not hold).
 */
@FunctionalInterface
public interface PartitionQueryHandler {
    CompletableFuture<PartialResult> execute(PartitionRequest request);

    /**
     * Runs every partition of {@code request} and answers one reply per partition, in order. The default runs each
     * with {@link #execute}.
     */
    default CompletableFuture<List<PartitionReply>> executeAll(NodeRequest request) {
        return PartitionReply.gather(request, this::execute);
    }
}
