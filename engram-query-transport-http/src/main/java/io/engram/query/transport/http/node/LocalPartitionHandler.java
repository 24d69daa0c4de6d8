package io.engram.query.transport.http.node;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.PartialResult;
import io.engram.query.executor.local.LocalPartitionRunner;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.transport.http.server.PartitionQueryHandler;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Serves peers' requests from this node's own partitions: a partition request on the receiving server thread when a
 * compute slot is free ({@link LocalPartitionRunner#runInline}), a node request's partitions in parallel on the
 * compute pool with the node-side reduce ({@link LocalPartitionRunner#runAll}).
 */
final class LocalPartitionHandler implements PartitionQueryHandler {
    private final LocalPartitionRunner partitions;

    LocalPartitionHandler(LocalPartitionRunner partitions) {
        this.partitions = requireNonNull(partitions, "partitions is null");
    }

    @Override
    public CompletableFuture<PartialResult> execute(PartitionRequest request) {
        return partitions.runInline(request);
    }

    @Override
    public CompletableFuture<List<PartitionReply>> executeAll(NodeRequest request) {
        return partitions.runAll(request);
    }
}
