package io.engram.query.executor.local;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.PartialResult;
import io.engram.query.spi.LocalQueryEngine;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.TransportException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs partition requests on this node's {@link LocalQueryEngine}, on the bounded compute pool, with no
 * serialisation. Serves both the coordinator's local short cut and partition requests from peers.
 */
public final class LocalPartitionRunner {
    private final LocalQueryEngine engine;
    private final Executor computePool;

    public LocalPartitionRunner(LocalQueryEngine engine, Executor computePool) {
        this.engine = requireNonNull(engine, "engine is null");
        this.computePool = requireNonNull(computePool, "compute pool is null");
    }

    public boolean holds(MemorySpaceId space) {
        return engine.holds(space);
    }

    public LocalQueryEngine engine() {
        return engine;
    }

    /**
     * Runs {@code request} on the compute pool. Fails with a {@link TransportException}: {@code UNREACHABLE} (not
     * retryable here, but another copy may answer) for a space this node does not hold, {@code REJECTED} for a
     * request the engine refuses (its message says why), {@code TIMEOUT} when the deadline passed before it started,
     * {@code FAILED} when the engine broke.
     */
    public CompletableFuture<PartialResult> run(PartitionRequest request) {
        requireNonNull(request, "request is null");
        try {
            return CompletableFuture.supplyAsync(() -> runNow(request), computePool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(TransportException.failed("local engine is shutting down", false));
        }
    }

    private PartialResult runNow(PartitionRequest request) {
        if (!engine.holds(request.space())) {
            // Not a bad request: the caller's view of the cluster differs from ours, and another copy may answer.
            throw new TransportException(
                    io.engram.query.api.MissingReason.UNREACHABLE,
                    false,
                    "space " + request.space() + " is not held here");
        }
        if (request.deadline().isExpired()) {
            throw TransportException.timeout("deadline passed before partition " + request.space() + " started");
        }
        try {
            return engine.execute(request);
        } catch (IllegalArgumentException e) {
            throw TransportException.rejected(e.getMessage());
        } catch (TransportException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TransportException(
                    io.engram.query.api.MissingReason.FAILED,
                    false,
                    "local engine failed on " + request.space() + ": "
                            + e.getClass().getSimpleName(),
                    e);
        }
    }
}
