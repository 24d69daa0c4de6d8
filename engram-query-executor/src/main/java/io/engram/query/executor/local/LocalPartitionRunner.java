package io.engram.query.executor.local;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.PartialResult;
import io.engram.query.spi.LocalQueryEngine;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.TransportException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * Runs partition requests on this node's {@link LocalQueryEngine}, with no serialisation. Serves both the
 * coordinator's local short cut and partition requests from peers.
 *
 * <p>With a {@code parallelism} bound, every engine run holds one of that many permits, on the compute pool or on a
 * caller's thread: {@link #runInline} runs on the calling thread (a server thread that already has the request in
 * hand, saving a thread hand-off per partition) only when a permit is free at once, and queues on the pool otherwise,
 * so no more than {@code parallelism} partitions compute at the same time however they arrive.
 */
public final class LocalPartitionRunner {
    private final LocalQueryEngine engine;
    private final Executor computePool;
    private final Optional<Semaphore> permits;

    /** Runs every request on {@code computePool}; {@link #runInline} does too. */
    public LocalPartitionRunner(LocalQueryEngine engine, Executor computePool) {
        this.engine = requireNonNull(engine, "engine is null");
        this.computePool = requireNonNull(computePool, "compute pool is null");
        this.permits = Optional.empty();
    }

    /**
     * Bounds the partitions computing at once to {@code parallelism} (the compute pool's size), on the pool or inline.
     */
    public LocalPartitionRunner(LocalQueryEngine engine, Executor computePool, int parallelism) {
        this.engine = requireNonNull(engine, "engine is null");
        this.computePool = requireNonNull(computePool, "compute pool is null");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
        }
        this.permits = Optional.of(new Semaphore(parallelism, true));
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
            return CompletableFuture.supplyAsync(() -> runWithPermit(request), computePool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(TransportException.failed("local engine is shutting down", false));
        }
    }

    /**
     * Runs {@code request} on the calling thread when a compute permit is free right now (no one is waiting for one),
     * returning a completed future; otherwise as {@link #run}. Without a parallelism bound, always as {@link #run}.
     * Fails as {@link #run} does.
     */
    public CompletableFuture<PartialResult> runInline(PartitionRequest request) {
        requireNonNull(request, "request is null");
        if (permits.isEmpty() || !tryAcquireFairly(permits.get())) {
            return run(request);
        }
        try {
            return CompletableFuture.completedFuture(runNow(request));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            permits.get().release();
        }
    }

    /** A free permit at once, unless a pool thread already waits for one (it goes first). */
    private static boolean tryAcquireFairly(Semaphore semaphore) {
        try {
            return semaphore.tryAcquire(0, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private PartialResult runWithPermit(PartitionRequest request) {
        if (permits.isEmpty()) {
            return runNow(request);
        }
        Semaphore semaphore = permits.get();
        try {
            semaphore.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TransportException.failed("local engine is shutting down", false);
        }
        try {
            return runNow(request);
        } finally {
            semaphore.release();
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
