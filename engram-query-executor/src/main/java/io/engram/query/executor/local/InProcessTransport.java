package io.engram.query.executor.local;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.Transport;
import io.engram.query.spi.TransportException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link Transport} to nodes living in this JVM, each a {@link LocalPartitionRunner}: no sockets, no
 * serialisation. For tests and benchmarks that measure the executor itself.
 */
public final class InProcessTransport implements Transport {
    private final Map<NodeId, LocalPartitionRunner> nodes;

    public InProcessTransport(Map<NodeId, LocalPartitionRunner> nodes) {
        this.nodes = Map.copyOf(requireNonNull(nodes, "nodes is null"));
    }

    @Override
    public CompletableFuture<PartialResult> execute(NodeId node, PartitionRequest request) {
        LocalPartitionRunner runner = nodes.get(node);
        if (runner == null) {
            return CompletableFuture.failedFuture(TransportException.unreachable("no node " + node + " in process"));
        }
        return runner.run(request);
    }

    /** One in-process "exchange" per node request: the node runs its partitions together and may reduce them. */
    @Override
    public boolean batches() {
        return true;
    }

    @Override
    public CompletableFuture<List<PartitionReply>> executeAll(NodeId node, NodeRequest request) {
        LocalPartitionRunner runner = nodes.get(node);
        if (runner == null) {
            return CompletableFuture.failedFuture(TransportException.unreachable("no node " + node + " in process"));
        }
        return runner.runAll(request);
    }
}
