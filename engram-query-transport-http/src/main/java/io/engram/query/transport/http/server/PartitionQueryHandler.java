package io.engram.query.transport.http.server;

import io.engram.query.api.PartialResult;
import io.engram.query.spi.PartitionRequest;
import java.util.concurrent.CompletableFuture;

/**
 * Runs a partition request another node sent to {@code POST /internal/v1/partition-query}: in the node runtime, the
 * local query engine on the executor's compute threads. The request's deadline was fixed from the caller's remaining
 * time. The future should complete by the deadline; it is cancelled when the caller goes away. Fail it with an
 * {@link IllegalArgumentException} for a request this node can not run (a space it does not hold).
 */
@FunctionalInterface
public interface PartitionQueryHandler {
    CompletableFuture<PartialResult> execute(PartitionRequest request);
}
