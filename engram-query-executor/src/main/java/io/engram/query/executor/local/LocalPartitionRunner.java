package io.engram.query.executor.local;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.aggregation.merge.MatchOrder;
import io.engram.query.api.Match;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.PartialResult;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.spi.LocalQueryEngine;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.TransportException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs partition requests on this node's {@link LocalQueryEngine}, with no serialisation. Serves both the
 * coordinator's local short cut and partition requests from peers.
 *
 * <p>With a {@code parallelism} bound, every engine run holds one of that many permits, on the compute pool or on a
 * caller's thread: {@link #runInline} runs on the calling thread (a server thread that already has the request in
 * hand, saving a thread hand-off per partition) only when a permit is free at once, and queues on the pool otherwise,
 * so no more than {@code parallelism} partitions compute at the same time however they arrive.
 *
 * <p>Admission: at most {@code maxQueued} runs wait for a permit or a pool thread; one more is refused at once with
 * {@link TransportException#overloaded}, so a coordinator fails over to another copy instead of queueing behind work
 * this node can not finish in time (Elasticsearch's bounded search queue, answered with 429).
 *
 * <p>Cancellation: cancelling a returned future cancels the request's deadline, so the engine stops at its next
 * deadline check and a run still waiting never starts; both count in {@code engram_query_partition_cancelled_total}.
 */
public final class LocalPartitionRunner {
    private final LocalQueryEngine engine;
    private final Executor computePool;
    private final Optional<Semaphore> permits;
    private final int maxQueued;
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final QueryMetrics metrics;

    /** Runs every request on {@code computePool}; {@link #runInline} does too. No queue bound. */
    public LocalPartitionRunner(LocalQueryEngine engine, Executor computePool) {
        this(engine, computePool, Optional.empty(), Integer.MAX_VALUE, new QueryMetrics(new MetricRegistry()));
    }

    /**
     * Bounds the partitions computing at once to {@code parallelism} (the compute pool's size), on the pool or inline.
     * No queue bound.
     */
    public LocalPartitionRunner(LocalQueryEngine engine, Executor computePool, int parallelism) {
        this(engine, computePool, parallelism, Integer.MAX_VALUE, new QueryMetrics(new MetricRegistry()));
    }

    /**
     * Bounds the partitions computing at once to {@code parallelism} and those waiting to {@code maxQueued}.
     *
     * @param metrics where refused and cancelled runs are counted
     */
    public LocalPartitionRunner(
            LocalQueryEngine engine, Executor computePool, int parallelism, int maxQueued, QueryMetrics metrics) {
        this(engine, computePool, Optional.of(checkedPermits(parallelism)), maxQueued, metrics);
    }

    private LocalPartitionRunner(
            LocalQueryEngine engine,
            Executor computePool,
            Optional<Semaphore> permits,
            int maxQueued,
            QueryMetrics metrics) {
        this.engine = requireNonNull(engine, "engine is null");
        this.computePool = requireNonNull(computePool, "compute pool is null");
        this.permits = permits;
        if (maxQueued < 0) {
            throw new IllegalArgumentException("max queued partitions must be >= 0, got " + maxQueued);
        }
        this.maxQueued = maxQueued;
        this.metrics = requireNonNull(metrics, "metrics is null");
        metrics.registry().gauge(QueryMetrics.PARTITIONS_RUNNING, () -> running::get);
    }

    private static Semaphore checkedPermits(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, got " + parallelism);
        }
        return new Semaphore(parallelism, true);
    }

    /** Runs in the engine right now. */
    public int running() {
        return running.get();
    }

    /** Runs waiting for a compute permit or thread right now. */
    public int queued() {
        return queued.get();
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
     * {@code FAILED} when the engine broke or ({@link TransportException#isOverloaded}) when {@code maxQueued} runs
     * already wait; with a {@link CancellationException} when the request's deadline was cancelled.
     */
    public CompletableFuture<PartialResult> run(PartitionRequest request) {
        requireNonNull(request, "request is null");
        if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            metrics.overloaded("partition");
            return CompletableFuture.failedFuture(TransportException.overloaded("node is at its partition queue cap ("
                    + maxQueued + " waiting, query.max_queued_partitions); try another copy"));
        }
        // Whoever comes first, the pool thread starting the run or a cancel before it starts, accounts for the queue.
        AtomicBoolean claimed = new AtomicBoolean();
        CompletableFuture<PartialResult> future;
        try {
            future = CompletableFuture.supplyAsync(
                    () -> {
                        if (!claimed.compareAndSet(false, true)) {
                            throw new CancellationException("partition " + request.space() + " was cancelled");
                        }
                        return runWithPermit(request);
                    },
                    computePool);
        } catch (RejectedExecutionException e) {
            queued.decrementAndGet();
            return CompletableFuture.failedFuture(TransportException.failed("local engine is shutting down", false));
        }
        future.whenComplete((answer, failure) -> {
            if (failure instanceof CancellationException) {
                // cancelled by whoever waited: the engine stops at its next deadline check
                request.deadline().cancel();
                if (claimed.compareAndSet(false, true)) {
                    queued.decrementAndGet(); // never started: its pool task will find it claimed and do nothing
                    metrics.partitionCancelled();
                }
            }
        });
        return future;
    }

    /**
     * Runs every partition of {@code request} (one node-to-node request) as {@link #run} does, in parallel on the
     * compute pool (the last one inline, as {@link #runInline}), and answers with one reply per partition in the request's order: a partition that failed is a
     * failed reply naming why ({@link TransportException}), the others answered. With {@code reduceTo} set, only the
     * best {@code reduceTo} matches over all partitions are kept ({@link MatchOrder#BEST_FIRST}), each still in its
     * partition's result: the node's partial reduce. A spread round's crossings into the request's other spaces are
     * continued here ({@link LocalCrossings}). Cancelling the future cancels every partition still running.
     */
    public CompletableFuture<List<PartitionReply>> runAll(NodeRequest request) {
        requireNonNull(request, "request is null");
        List<CompletableFuture<PartialResult>> started =
                new ArrayList<>(request.partitions().size());
        List<CompletableFuture<PartitionReply>> runs =
                new ArrayList<>(request.partitions().size());
        List<PartitionRequest> partitions = request.partitions();
        for (int i = 0; i < partitions.size(); i++) {
            PartitionRequest partition = partitions.get(i);
            // the others go to the pool first; the last runs on the calling thread when a permit is free, as a single
            // partition request would, instead of the caller's thread only waiting
            CompletableFuture<PartialResult> run = i < partitions.size() - 1 ? run(partition) : runInline(partition);
            started.add(run);
            runs.add(run.handle((result, failure) -> result != null
                    ? PartitionReply.answered(result)
                    : PartitionReply.failed(partition.space(), asTransportFailure(partition, failure))));
        }
        CompletableFuture<List<PartitionReply>> all = CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new))
                .thenCompose(done -> {
                    List<PartitionReply> replies =
                            runs.stream().map(CompletableFuture::join).toList();
                    return LocalCrossings.applies(request)
                            ? LocalCrossings.continueLocally(this, request, replies)
                            : CompletableFuture.completedFuture(replies);
                })
                .thenApply(replies -> reduce(replies, request.reduceTo()));
        all.whenComplete((replies, failure) -> {
            if (all.isCancelled()) {
                for (int i = 0; i < started.size(); i++) {
                    request.partitions().get(i).deadline().cancel();
                    started.get(i).cancel(true); // a run still queued never starts and gives its queue slot back
                }
            }
        });
        return all;
    }

    private static TransportException asTransportFailure(PartitionRequest partition, Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof TransportException te) {
            return te;
        }
        if (cause instanceof CancellationException) {
            return TransportException.timeout("partition " + partition.space() + " was cancelled");
        }
        return TransportException.failed(
                "partition " + partition.space() + " failed: "
                        + cause.getClass().getSimpleName(),
                false);
    }

    /** The best {@code reduceTo} matches over every answered partition, each kept in its own partition's result. */
    static List<PartitionReply> reduce(List<PartitionReply> replies, int reduceTo) {
        if (reduceTo == 0) {
            return replies;
        }
        List<Match> all = new ArrayList<>();
        for (PartitionReply reply : replies) {
            reply.result().ifPresent(r -> all.addAll(r.matches()));
        }
        if (all.size() <= reduceTo) {
            return replies;
        }
        all.sort(MatchOrder.BEST_FIRST);
        java.util.Set<Match> kept = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        kept.addAll(all.subList(0, reduceTo));
        List<PartitionReply> reduced = new ArrayList<>(replies.size());
        for (PartitionReply reply : replies) {
            if (reply.result().isEmpty()) {
                reduced.add(reply);
                continue;
            }
            PartialResult r = reply.result().get();
            List<Match> survivors = r.matches().stream().filter(kept::contains).toList();
            reduced.add(PartitionReply.answered(new PartialResult(
                    r.space(), r.node(), survivors, r.confidenceAdjustment(), r.latency(), r.frontier(), r.seeds())));
        }
        return reduced;
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
        } catch (CancellationException e) {
            return CompletableFuture.failedFuture(e);
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
            queued.decrementAndGet();
            return runNow(request);
        }
        Semaphore semaphore = permits.get();
        try {
            semaphore.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw TransportException.failed("local engine is shutting down", false);
        } finally {
            queued.decrementAndGet();
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
        if (request.deadline().isCancelled()) {
            metrics.partitionCancelled();
            throw new CancellationException("partition " + request.space() + " was cancelled before it started");
        }
        if (request.deadline().isExpired()) {
            throw TransportException.timeout("deadline passed before partition " + request.space() + " started");
        }
        running.incrementAndGet();
        try {
            PartialResult answer = engine.execute(request);
            if (request.deadline().isCancelled()) {
                // stopped early at a deadline check, or finished after nobody waited: the answer goes nowhere
                metrics.partitionCancelled();
                throw new CancellationException("partition " + request.space() + " was cancelled while it ran");
            }
            return answer;
        } catch (CancellationException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw TransportException.rejected(e.getMessage());
        } catch (TransportException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TransportException(
                    io.engram.query.api.MissingReason.FAILED,
                    false,
                    "local engine failed on " + request.space() + ": "
                            + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"),
                    e);
        } finally {
            running.decrementAndGet();
        }
    }
}
