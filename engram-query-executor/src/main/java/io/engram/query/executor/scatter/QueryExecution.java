package io.engram.query.executor.scatter;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import io.engram.query.aggregation.AggregatedAnswer;
import io.engram.query.aggregation.Aggregator;
import io.engram.query.api.ConsistencyException;
import io.engram.query.api.Deadline;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.PartitionOutcome;
import io.engram.query.api.PartitionStatus;
import io.engram.query.api.PlanTarget;
import io.engram.query.api.Query;
import io.engram.query.api.QueryPlan;
import io.engram.query.api.QueryResult;
import io.engram.query.executor.resilience.BlameRule;
import io.engram.query.executor.resilience.NodeCallPolicy;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.TransportException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one query in flight. Every state change happens under this object's lock; calls complete on other
 * threads and come back through {@link #onCallDone}. Nothing that can call back into foreign code runs under the
 * lock: cancelling a call and completing the caller's future are queued in {@link #deferred} and run by each entry
 * point after it lets go of the lock. Cancels go to a timer thread, because Failsafe completes and cancels its
 * futures under their own monitors: a thread completing one call (holding its monitor) must never wait for another
 * call's monitor, or two such threads could deadlock.
 *
 * <p>Blame: a call cut short by the deadline (or a timeout the transport set from it) counts against its node only
 * when {@link BlameRule} says the node was slow by its own measure; a cancelled call (hedge lost, partition answered
 * elsewhere, query cancelled) counts against no one. Every call runs under its own child of the query's deadline, so
 * cancelling it stops the engine that serves it.
 *
 * <p>Cancellation: when the query's deadline is cancelled or the caller cancels {@link #result()}, every call in
 * flight is cancelled and no new one starts.
 */
final class QueryExecution {
    private static final Logger LOG = LoggerFactory.getLogger(QueryExecution.class);

    private final ScatterGatherExecutor executor;
    private final String queryId;
    private final QueryPlan plan;
    private final Query query;
    private final Aggregator aggregator;
    private final String consistencyName;
    private final ScatterRound round;
    private final long startNanos;
    private final CompletableFuture<QueryResult> result = new CompletableFuture<>();
    /** The plan's targets, in order; {@code partitions[i]} is {@code targets[i]}'s state once it started. */
    private final List<PlanTarget> targets;

    private final Partition[] partitions;

    private final List<PartitionOutcome> unreachableOutcomes;
    /** Exchanges in flight: a node request counts once, a single call once; bounded by {@code maxInFlight}. */
    private int exchangesInFlight;
    /** Partitions neither started nor abandoned. */
    private int queuedCount;
    /** The queued partitions' indexes by the node they go to first, built at the first pump. */
    private Map<NodeId, ArrayDeque<Integer>> queuedByNode;
    /** Set when the query stops taking new work: at the deadline, on fail-fast, or when finished. */
    private boolean draining;

    private boolean finished;
    /** Built on the first exchange; read and written on whichever thread sends one, so volatile. */
    private volatile RetryPolicy<?> retryPolicy;

    private ScheduledFuture<?> deadlineTimer;
    private final List<Runnable> deferred = new ArrayList<>();

    QueryExecution(
            ScatterGatherExecutor executor,
            String queryId,
            QueryPlan plan,
            Query query,
            Aggregator aggregator,
            String consistencyName,
            ScatterRound round) {
        this.executor = executor;
        this.queryId = queryId;
        this.plan = plan;
        this.query = query;
        this.aggregator = aggregator;
        this.consistencyName = consistencyName;
        this.round = round;
        this.startNanos = executor.ticker().nanoTime();
        this.targets = plan.targets();
        this.partitions = new Partition[targets.size()];
        this.queuedCount = targets.size();
        this.unreachableOutcomes = new ArrayList<>(plan.unreachable().size());
    }

    CompletableFuture<QueryResult> result() {
        return result;
    }

    void start() {
        synchronized (this) {
            startLocked();
        }
        runDeferred();
        plan.deadline().onCancel(this::onCancelled);
        result.whenComplete((answer, failure) -> {
            if (failure instanceof CancellationException) {
                onCancelled();
            }
        });
    }

    /** Nobody waits for this query any more: stop every call, start none, answer nothing. */
    private void onCancelled() {
        synchronized (this) {
            if (finished) {
                return;
            }
            draining = true;
            finished = true;
            queuedCount = 0;
            if (deadlineTimer != null) {
                deadlineTimer.cancel(false);
            }
            cancelAll();
            if (round.phase() == ScatterPhase.QUERY) {
                executor.metrics().queryAbandoned();
            }
            LOG.debug("query {} cancelled by its caller", queryId);
            deferred.add(() -> result.cancel(false));
        }
        runDeferred();
    }

    private void runDeferred() {
        if (Thread.holdsLock(this)) {
            return; // a reentrant completion; the outermost entry point runs them
        }
        while (true) {
            List<Runnable> actions;
            synchronized (this) {
                if (deferred.isEmpty()) {
                    return;
                }
                actions = new ArrayList<>(deferred);
                deferred.clear();
            }
            actions.forEach(Runnable::run);
        }
    }

    private void startLocked() {
        executor.metrics().scatterStarted(round.phase());
        if (round.phase() == ScatterPhase.QUERY) { // a spread or imagine counts itself once, in its coordinator
            executor.metrics().queryStarted(plan.strategy(), plan.expectedPartitions());
        }
        for (MissingPartition missing : plan.unreachable()) {
            aggregator.markMissing(missing);
            executor.metrics().partitionMissing(missing.reason());
            unreachableOutcomes.add(new PartitionOutcome(
                    missing.space(),
                    missing.node(),
                    PartitionStatus.of(missing.reason()), // one reason per cause, in every field
                    Duration.ZERO,
                    0,
                    false,
                    0));
        }
        long remaining = plan.deadline().remainingNanos();
        deadlineTimer = executor.scheduler().schedule(this::onDeadline, remaining, TimeUnit.NANOSECONDS);
        pump();
        checkCompletion();
    }

    /**
     * Starts queued partitions while there is room under {@code maxInFlight}, which counts exchanges in flight
     * ({@code query.max_fanout}): with a transport that batches, every queued partition of one remote node leaves in
     * one node request, which takes one slot whatever its partitions; a local partition, or a call over a transport
     * that does not batch, takes one slot each. Nodes are served in the order of their first queued partition.
     */
    private void pump() {
        if (draining || queuedCount == 0 || exchangesInFlight >= plan.maxInFlight()) {
            return;
        }
        if (queuedByNode == null) {
            queuedByNode = new LinkedHashMap<>();
            for (int index = 0; index < targets.size(); index++) {
                if (partitions[index] == null) {
                    queuedByNode
                            .computeIfAbsent(targets.get(index).preferred(), n -> new ArrayDeque<>())
                            .add(index);
                }
            }
        }
        long now = executor.ticker().nanoTime();
        int started = 0;
        int slots = plan.maxInFlight() - exchangesInFlight;
        List<List<Call>> exchanges = new ArrayList<>();
        var nodes = queuedByNode.entrySet().iterator();
        while (slots > 0 && nodes.hasNext()) {
            var queued = nodes.next();
            boolean batches = batches(queued.getKey());
            List<Call> calls = new ArrayList<>(batches ? queued.getValue().size() : 1);
            while (!queued.getValue().isEmpty() && slots > 0) {
                int index = queued.getValue().poll();
                if (partitions[index] != null) {
                    continue; // abandoned while queued
                }
                Partition partition = new Partition(targets.get(index), now);
                partitions[index] = partition;
                queuedCount--;
                started++;
                calls.add(prepareCall(partition, false));
                if (!batches) {
                    slots--;
                    exchanges.add(calls);
                    calls = new ArrayList<>(1);
                }
            }
            if (batches && !calls.isEmpty()) {
                slots--;
                exchanges.add(calls);
            }
            if (queued.getValue().isEmpty()) {
                nodes.remove();
            }
        }
        executor.hedgeBudget().recordRequests(started);
        exchanges.forEach(this::dispatch);
    }

    /** Whether calls to {@code node} travel together as one node request. */
    private boolean batches(NodeId node) {
        return !node.equals(executor.localNode())
                && executor.transport().isPresent()
                && executor.transport().get().batches();
    }

    private void startCall(Partition partition, boolean hedge) {
        if (!hedge) {
            executor.hedgeBudget().recordRequest();
        }
        dispatch(List.of(prepareCall(partition, hedge)));
    }

    /** A new call of {@code partition} to its next copy, counted in flight; not sent yet. */
    private Call prepareCall(Partition partition, boolean hedge) {
        NodeId node = partition.target.replicas().get(partition.nextReplica++);
        Call call = new Call(
                partition,
                node,
                hedge,
                executor.ticker().nanoTime(),
                plan.deadline().child());
        partition.calls.add(call);
        partition.attempts++;
        partition.lastNode = node;
        call.request = new PartitionRequest(
                queryId, partition.target.space(), call.deadline, round.taskFor(partition.target.space(), query));
        return call;
    }

    /**
     * Sends calls to one node: each on its own, or together as one node request when the transport batches. A node
     * request is one exchange for everything that measures a node (replica selector, detector, latency histogram,
     * breaker): N partitions in one exchange are one sample, not N identical ones.
     */
    private void dispatch(List<Call> calls) {
        NodeId node = calls.get(0).node;
        executor.metrics().partitionRequests(calls.size());
        boolean local = node.equals(executor.localNode());
        Batch batch = null;
        if (batches(node)) {
            exchangesInFlight++;
            batch = sendBatch(node, calls);
        } else {
            exchangesInFlight += calls.size();
            for (Call call : calls) {
                if (!local) {
                    executor.metrics().nodeRequest(); // a transport that does not batch: one exchange per partition
                }
                executor.replicaSelector().onCallStarted(node);
                call.future = send(call, call.request);
            }
        }
        for (Call call : calls) {
            if (!call.hedge) {
                scheduleHedge(call.partition, node);
            }
        }
        if (batch == null) {
            for (Call call : calls) {
                call.future.whenComplete((answer, failure) -> onCallDone(call, answer, failure));
            }
            return;
        }
        for (Call call : calls) {
            // A batched call's own future completes exceptionally only when the call is cancelled on its own (its
            // partition answered elsewhere, the query ended); its exchange settles it otherwise, with the others.
            call.future.whenComplete((answer, failure) -> {
                if (failure != null) {
                    onCallDone(call, null, failure);
                }
            });
        }
        Batch sent = batch;
        batch.exchange.whenComplete((replies, failure) -> onBatchDone(sent, replies, failure));
    }

    /**
     * One node request carrying {@code calls}, under the node's retry policy and breaker as a single call would be.
     * Node-side reduce is asked for when it is exact: a recall-like round whose merge policy keeps the best match.
     */
    private Batch sendBatch(NodeId node, List<Call> calls) {
        Batch batch = new Batch(node, calls, executor.ticker().nanoTime());
        List<PartitionRequest> requests = new ArrayList<>(calls.size());
        for (Call call : calls) {
            call.batch = batch;
            call.future = new CompletableFuture<>();
            requests.add(call.request);
        }
        PartitionTask task = calls.get(0).request.task();
        boolean recallLike = task instanceof PartitionTask.Scan || task instanceof PartitionTask.CueRecall;
        int reduceTo =
                recallLike && calls.size() > 1 && executor.mergePolicy(query).selectsMaximum() ? query.limit() : 0;
        NodeRequest request = new NodeRequest(queryId, requests, reduceTo);
        batch.request = request;
        executor.metrics().nodeRequest();
        executor.replicaSelector().onCallStarted(node);
        batch.exchange = guarded(
                batch.first,
                node,
                batch::abandoned,
                () -> executor.transport().get().executeAll(node, request));
        return batch;
    }

    /**
     * A node request ended: one sample of its node for the whole exchange, then every call travelling in it settled
     * under one hold of the lock, and the queue pumped once. A call cancelled on its own before (its future already
     * completed) was settled then and is skipped.
     */
    private void onBatchDone(Batch batch, List<PartitionReply> replies, Throwable failure) {
        Duration latency = Duration.ofNanos(executor.ticker().nanoTime() - batch.startNanos);
        Throwable cause = failure == null ? null : NodeCallPolicy.unwrap(failure);
        if (cause == null) {
            cause = checkReplies(batch, replies);
        }
        boolean busy = false;
        if (cause == null) {
            for (PartitionReply reply : replies) {
                busy |= reply.failure().map(TransportException::isOverloaded).orElse(false);
            }
        }
        recordExchange(batch.first, latency, cause, busy);
        if (cause == null) {
            // The latency histogram feeds the adaptive hedge delay per partition: one sample per answered partition,
            // as before node requests (one per exchange left it too few samples to hedge the first queries after a
            // peer froze; NodeFailureIT in CI).
            for (int i = 1; i < replies.size(); i++) {
                if (replies.get(i).result().isPresent()) {
                    executor.metrics().partitionAnswered(batch.node, latency);
                }
            }
        }
        synchronized (this) {
            exchangesInFlight--;
            for (int i = 0; i < batch.calls.size(); i++) {
                Call call = batch.calls.get(i);
                PartialResult answer = null;
                Throwable callCause = cause;
                if (cause == null) {
                    PartitionReply reply = replies.get(i);
                    answer = reply.result().orElse(null);
                    callCause = answer == null ? reply.failure().orElseThrow() : null;
                }
                if (call.future.complete(answer)) {
                    settleLocked(call, answer, callCause);
                }
            }
            pump();
            checkCompletion();
        }
        runDeferred();
    }

    /**
     * Why a node's replies can not be matched to the partitions asked for, or null when they can. The transports
     * check this too; a plugin transport that does not must not hang or crash the query.
     */
    private static Throwable checkReplies(Batch batch, List<PartitionReply> replies) {
        if (replies == null) {
            return TransportException.failed("node " + batch.node + " answered no replies", false);
        }
        try {
            PartitionReply.checked(batch.node, batch.request, replies);
            return null;
        } catch (TransportException e) {
            return e;
        }
    }

    private CompletableFuture<PartialResult> send(Call call, PartitionRequest request) {
        NodeId node = call.node;
        if (node.equals(executor.localNode()) && executor.local().holds(request.space())) {
            return executor.local().run(request);
        }
        if (executor.transport().isEmpty()) {
            return CompletableFuture.failedFuture(TransportException.unreachable(
                    "no transport is configured to reach node " + node + " from " + executor.localNode()));
        }
        return guarded(call, node, call.deadline::isCancelled, () -> {
            CompletableFuture<PartialResult> inner = executor.transport().get().execute(node, request);
            call.inner = inner;
            return inner;
        });
    }

    /**
     * An exchange with {@code node} under the node's retry policy and circuit breaker, not sent once
     * {@code abandoned}; {@code call} (the one call, or the first of a node request) judges whether being cut short
     * counts against the node.
     */
    private <T> CompletableFuture<T> guarded(
            Call call, NodeId node, BooleanSupplier abandoned, Supplier<CompletableFuture<T>> exchange) {
        CircuitBreaker<PartialResult> breaker = executor.callPolicy().breaker(node);
        return Failsafe.with(this.<T>retryPolicy())
                .with(executor.failsafeScheduler())
                .getStageAsync(() -> {
                    if (abandoned.getAsBoolean()) {
                        throw new CancellationException("call to " + node + " cancelled before it was sent");
                    }
                    if (call.deadline.isExpired()) {
                        throw TransportException.timeout("deadline passed before the call to " + node);
                    }
                    long attemptStart = executor.ticker().nanoTime();
                    if (!breaker.tryAcquirePermit()) {
                        throw new TransportException(
                                MissingReason.UNREACHABLE, false, "circuit breaker of node " + node + " is open");
                    }
                    CompletableFuture<T> inner = exchange.get();
                    return inner.whenComplete((answer, failure) -> {
                        Throwable cause = failure == null ? null : NodeCallPolicy.unwrap(failure);
                        if (cause == null) {
                            breaker.recordSuccess();
                        } else if (cause instanceof CancellationException) {
                            if (!(call.timedOut && call.blamed(blameRule(), 0))) {
                                releaseTrial(breaker); // cut short or lost a hedge: says nothing of the node
                            }
                        } else if (reasonOf(cause) == MissingReason.TIMEOUT) {
                            long ran = executor.ticker().nanoTime() - attemptStart;
                            if (call.blamed(blameRule(), ran)) {
                                breaker.recordFailure();
                            } else {
                                releaseTrial(breaker);
                            }
                        } else if (NodeCallPolicy.countsAgainstNode(cause)) {
                            breaker.recordFailure();
                        } else {
                            breaker.recordSuccess();
                        }
                    });
                });
    }

    /**
     * The retry policy of every exchange of this query, built once (building one per exchange was a visible share of
     * a wide broadcast's cost): its bound is the query's deadline, which it checks before each retry.
     */
    @SuppressWarnings("unchecked")
    private <T> RetryPolicy<T> retryPolicy() {
        RetryPolicy<?> policy = retryPolicy;
        if (policy == null) {
            policy = executor.callPolicy().retryPolicy(plan.deadline());
            retryPolicy = policy;
        }
        return (RetryPolicy<T>) policy;
    }

    private BlameRule blameRule() {
        return executor.blameRule();
    }

    /**
     * A call that ended without saying anything of its node: in the closed state nothing is recorded (it would reset
     * a real failure streak); a half-open breaker gets its trial permit back as a success, or it would wait forever.
     */
    private static void releaseTrial(CircuitBreaker<PartialResult> breaker) {
        if (breaker.isHalfOpen()) {
            breaker.recordSuccess();
        }
    }

    private void scheduleHedge(Partition partition, NodeId node) {
        if (partition.nextReplica >= partition.target.replicas().size()) {
            return;
        }
        Optional<Duration> delay = executor.hedgeDelay().forNode(node);
        if (delay.isEmpty() || delay.get().toNanos() >= plan.deadline().remainingNanos()) {
            return;
        }
        partition.hedgeTimer = executor.scheduler()
                .schedule(() -> hedge(partition), delay.get().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void hedge(Partition partition) {
        synchronized (this) {
            hedgeLocked(partition);
        }
        runDeferred();
    }

    private void hedgeLocked(Partition partition) {
        if (finished
                || partition.done
                || partition.calls.isEmpty()
                || partition.nextReplica >= partition.target.replicas().size()
                || exchangesInFlight >= plan.maxInFlight()
                || !executor.hedgeBudget().tryAcquire()) {
            return;
        }
        partition.hedged = true;
        executor.metrics().hedgeSent();
        startCall(partition, true);
    }

    private void onCallDone(Call call, PartialResult answer, Throwable failure) {
        Throwable cause = failure == null ? null : NodeCallPolicy.unwrap(failure);
        if (call.batch == null) { // a batched call cancelled on its own: its exchange speaks for its node
            Duration latency = Duration.ofNanos(executor.ticker().nanoTime() - call.startNanos);
            recordExchange(call, latency, answer == null ? cause : null, false);
        }
        synchronized (this) {
            settleLocked(call, answer, cause);
            pump();
            checkCompletion();
        }
        runDeferred();
    }

    /**
     * What one exchange with a node (a single call, or a node request) says of the node, told to the replica
     * selector, the detector and the latency histogram. Measured and reported before taking the query's lock: with a
     * wide fan-out, completions queue for the lock, and that wait is the coordinator's, not the node's (counting it
     * inflated the adaptive hedge delay).
     *
     * @param judge the call whose cut-short judgement stands for the exchange (the call, or the first of a request)
     * @param cause why the exchange failed, or null when the node answered
     * @param busy whether the node, answering, refused some partition as overloaded
     */
    private void recordExchange(Call judge, Duration latency, Throwable cause, boolean busy) {
        NodeId node = judge.node;
        if (cause == null) {
            if (busy) {
                executor.replicaSelector().onCallFailed(node); // busy: rank it lower, but it is not down
            } else {
                executor.replicaSelector().onCallSucceeded(node, latency);
            }
            executor.detector().recordSuccess(node, latency);
            executor.metrics().partitionAnswered(node, latency);
        } else if (cause instanceof CancellationException) {
            // blamed only when the deadline cut it short after the node was slow by its own measure (and the detector
            // was told then)
            if (judge.timedOut && judge.blamed(blameRule(), 0)) {
                executor.replicaSelector().onCallFailed(node);
            } else {
                executor.replicaSelector().onCallAbandoned(node);
            }
        } else if (reasonOf(cause) == MissingReason.TIMEOUT) {
            if (judge.blamed(blameRule(), latency.toNanos())) {
                executor.replicaSelector().onCallFailed(node);
                executor.detector().recordFailure(node, MissingReason.TIMEOUT);
            } else {
                executor.replicaSelector().onCallAbandoned(node);
            }
        } else if (cause instanceof TransportException te && te.isOverloaded()) {
            executor.replicaSelector().onCallFailed(node); // busy: rank it lower, but it is not down
        } else {
            executor.replicaSelector().onCallFailed(node);
            if (NodeCallPolicy.countsAgainstNode(cause)) {
                executor.detector().recordFailure(node, reasonOf(cause));
            }
        }
    }

    /** Settles one call's end; the caller pumps the queue and checks completion after. */
    private void settleLocked(Call call, PartialResult answer, Throwable cause) {
        Partition partition = call.partition;
        partition.calls.remove(call);
        if (call.batch == null) {
            exchangesInFlight--;
        }
        boolean cancelled = cause instanceof CancellationException;
        if (finished || partition.done) {
            return;
        }
        if (answer != null) {
            partition.done = true;
            cancelOthers(partition);
            if (call.hedge) {
                executor.metrics().hedgeWon();
            }
            if (aggregator.accept(answer)) {
                round.onAnswer().accept(answer);
            }
            partition.outcome = new PartitionOutcome(
                    partition.target.space(),
                    Optional.of(call.node),
                    PartitionStatus.OK,
                    Duration.ofNanos(executor.ticker().nanoTime() - partition.startNanos),
                    partition.attempts,
                    partition.hedged,
                    answer.confidenceAdjustment());
        } else if (!cancelled) {
            MissingReason reason = reasonOf(cause);
            partition.lastDetail = detailOf(cause);
            partition.tried.put(
                    call.node, reason.name().toLowerCase(java.util.Locale.ROOT) + ": " + partition.lastDetail);
            if (reason != MissingReason.UNREACHABLE) {
                partition.allUnreachable = false;
            }
            if (reason == MissingReason.REJECTED) {
                lose(partition, reason, partition.lastDetail);
            } else if (partition.nextReplica < partition.target.replicas().size()) {
                executor.metrics().failover();
                startCall(partition, false);
            } else if (partition.calls.isEmpty()) {
                MissingReason lost = partition.allUnreachable ? MissingReason.UNREACHABLE : reason;
                lose(partition, lost, triedDetail(partition));
            }
        }
    }

    private void lose(Partition partition, MissingReason reason, String detail) {
        partition.done = true;
        cancelOthers(partition);
        MissingPartition missing = MissingPartition.of(partition.target.space(), partition.lastNode, reason, detail);
        aggregator.markMissing(missing);
        executor.metrics().partitionMissing(reason);
        partition.outcome = new PartitionOutcome(
                partition.target.space(),
                Optional.ofNullable(partition.lastNode),
                PartitionStatus.of(reason),
                Duration.ofNanos(executor.ticker().nanoTime() - partition.startNanos),
                partition.attempts,
                partition.hedged,
                0);
    }

    /**
     * Why a partition is lost when more than one copy was tried: every copy with its reason, by node id so that the
     * same failure reads the same from query to query; one copy keeps its own detail.
     */
    private static String triedDetail(Partition partition) {
        if (partition.tried.size() < 2) {
            return partition.lastDetail;
        }
        return partition.tried.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining("; ", "every copy failed: ", ""));
    }

    private void cancelOthers(Partition partition) {
        if (partition.hedgeTimer != null) {
            partition.hedgeTimer.cancel(false);
            partition.hedgeTimer = null;
        }
        if (partition.calls.isEmpty()) {
            return;
        }
        for (Call other : new ArrayList<>(partition.calls)) {
            // On a timer thread: cancelling a Failsafe future takes its monitor, and this thread may hold another's.
            deferred.add(() -> executor.scheduler().execute(other::cancel));
        }
    }

    private void checkCompletion() {
        if (finished) {
            return;
        }
        if (aggregator.isComplete()) {
            finish();
        } else if (!aggregator.canStillSucceed()) {
            draining = true;
            String detail = "not awaited: consistency '" + consistencyName + "' could no longer be met";
            for (Partition partition : partitions) {
                if (partition != null && !partition.done) {
                    lose(partition, MissingReason.TIMEOUT, detail);
                }
            }
            abandonQueued(detail);
            finish();
        }
    }

    private void onDeadline() {
        synchronized (this) {
            onDeadlineLocked();
        }
        runDeferred();
    }

    private void onDeadlineLocked() {
        if (finished) {
            return;
        }
        draining = true;
        long took = Duration.ofNanos(executor.ticker().nanoTime() - startNanos).toMillis();
        for (Partition partition : partitions) {
            if (partition == null || partition.done) {
                continue;
            }
            long now = executor.ticker().nanoTime();
            for (Call call : partition.calls) {
                // Still running at the deadline: counts against its node only when the node was slow by its own
                // measure (a hung node still opens its breaker; a caller's 1 ms budget blames no one). A node
                // request is judged once, by its first call, as one exchange.
                Call judge = call.batch == null ? call : call.batch.first;
                judge.timedOut = true;
                if (judge.judgedAtDeadline) {
                    continue;
                }
                judge.judgedAtDeadline = true;
                if (judge.blamed(blameRule(), now - judge.startNanos)) {
                    executor.detector().recordFailure(judge.node, MissingReason.TIMEOUT);
                    if (!judge.node.equals(executor.localNode())) {
                        executor.callPolicy().breaker(judge.node).recordFailure();
                    }
                }
            }
            lose(partition, MissingReason.TIMEOUT, "no answer within " + took + " ms");
        }
        abandonQueued("still queued at the deadline (" + took + " ms; query.max_fanout " + plan.maxInFlight() + ")");
        finish();
    }

    /** Marks every partition still queued (never started) as timed out. */
    private void abandonQueued(String detail) {
        if (queuedCount == 0) {
            return;
        }
        for (int index = 0; index < targets.size(); index++) {
            if (partitions[index] != null) {
                continue;
            }
            PlanTarget target = targets.get(index);
            Partition never = new Partition(target, executor.ticker().nanoTime());
            never.lastNode = target.preferred();
            partitions[index] = never;
            lose(never, MissingReason.TIMEOUT, detail);
        }
        queuedCount = 0;
        queuedByNode = null;
    }

    /** Cancels every call still running and every hedge timer. */
    private void cancelAll() {
        for (Partition partition : partitions) {
            if (partition != null) {
                cancelOthers(partition);
            }
        }
    }

    private void finish() {
        draining = true;
        finished = true;
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
        }
        cancelAll();
        Duration took = Duration.ofNanos(executor.ticker().nanoTime() - startNanos);
        if (round.phase() == ScatterPhase.QUERY) {
            executor.metrics().queryFinished(plan.strategy(), took);
        }
        AggregatedAnswer answer;
        try {
            answer = aggregator.finish();
        } catch (ConsistencyException e) {
            if (round.phase() == ScatterPhase.QUERY) { // a spread or imagine counts its own failure, once
                executor.metrics().queryFailed("consistency");
            }
            LOG.warn("query {} failed: {}", queryId, e.getMessage());
            deferred.add(() -> result.completeExceptionally(e));
            return;
        } catch (RuntimeException e) {
            executor.metrics().queryFailed("internal");
            LOG.error("query {} could not be aggregated", queryId, e);
            deferred.add(() -> result.completeExceptionally(e));
            return;
        }
        if (!answer.coverage().missing().isEmpty()) {
            LOG.warn(
                    "query {} answered with {} of {} partitions; missing: {}",
                    queryId,
                    answer.coverage().respondingPartitions(),
                    answer.coverage().expectedPartitions(),
                    answer.coverage().missing().stream()
                            .map(MissingPartition::toString)
                            .collect(Collectors.joining(", ")));
        }
        List<PartitionOutcome> ordered = new ArrayList<>(partitions.length + unreachableOutcomes.size());
        for (Partition partition : partitions) {
            if (partition != null && partition.outcome != null) {
                ordered.add(partition.outcome);
            }
        }
        ordered.addAll(unreachableOutcomes);
        QueryResult answered = new QueryResult(
                answer.matches(),
                answer.confidence(),
                answer.baseConfidence(),
                answer.coverage(),
                plan.strategy(),
                consistencyName,
                took,
                ordered);
        deferred.add(() -> result.complete(answered));
    }

    private static MissingReason reasonOf(Throwable cause) {
        if (cause instanceof TransportException te) {
            return te.reason();
        }
        if (cause instanceof TimeoutException) {
            return MissingReason.TIMEOUT;
        }
        if (cause instanceof IllegalArgumentException) {
            return MissingReason.REJECTED;
        }
        return MissingReason.FAILED;
    }

    private static String detailOf(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    /** One partition: its target and the calls made for it. */
    private static final class Partition {
        final PlanTarget target;
        final long startNanos;
        final List<Call> calls = new ArrayList<>(2);
        int nextReplica;
        int attempts;
        boolean hedged;
        boolean done;
        boolean allUnreachable = true;
        NodeId lastNode;
        String lastDetail = "";
        /** Each copy that failed, with its reason and detail. */
        final Map<NodeId, String> tried = new LinkedHashMap<>(2);

        ScheduledFuture<?> hedgeTimer;
        /** How it ended, once it did. */
        PartitionOutcome outcome;

        Partition(PlanTarget target, long startNanos) {
            this.target = target;
            this.startNanos = startNanos;
        }
    }

    /** One call to one copy: the first, a failover, or a hedge. */
    private static final class Call {
        final Partition partition;
        final NodeId node;
        final boolean hedge;
        final long startNanos;
        /** This call's own child of the query's deadline: cancelling it stops the engine serving the call. */
        final Deadline deadline;

        PartitionRequest request;
        CompletableFuture<PartialResult> future;
        volatile CompletableFuture<PartialResult> inner;
        /** The node request this call travels in, when the transport batches. */
        Batch batch;

        volatile boolean timedOut;
        /** Whether the deadline's judgement of this call (or of the node request it is first of) was made. */
        boolean judgedAtDeadline;
        /** Whether being cut short counts against the node, judged once (by the first of deadline or timeout). */
        private Boolean blamed;

        Call(Partition partition, NodeId node, boolean hedge, long startNanos, Deadline deadline) {
            this.partition = partition;
            this.node = node;
            this.hedge = hedge;
            this.startNanos = startNanos;
            this.deadline = deadline;
        }

        /** Judges the call cut short after {@code ranNanos}, or returns the earlier judgement. */
        synchronized boolean blamed(BlameRule rule, long ranNanos) {
            if (blamed == null) {
                blamed = rule.blames(node, ranNanos);
            }
            return blamed;
        }

        void cancel() {
            deadline.cancel();
            CompletableFuture<PartialResult> in = inner;
            if (in != null) {
                in.cancel(true);
            }
            if (future != null) {
                future.cancel(true);
            }
            if (batch != null) {
                batch.release();
            }
        }
    }

    /** A node request in flight: aborted once every call travelling in it was cancelled. */
    private static final class Batch {
        final NodeId node;
        final List<Call> calls;
        /** Judges, for the whole exchange, whether being cut short counts against the node. */
        final Call first;

        final long startNanos;
        NodeRequest request;
        private final AtomicInteger live;
        volatile CompletableFuture<List<PartitionReply>> exchange;

        Batch(NodeId node, List<Call> calls, long startNanos) {
            this.node = node;
            this.calls = calls;
            this.first = calls.get(0);
            this.startNanos = startNanos;
            this.live = new AtomicInteger(calls.size());
        }

        boolean abandoned() {
            return live.get() <= 0;
        }

        void release() {
            CompletableFuture<List<PartitionReply>> running = exchange;
            if (live.decrementAndGet() == 0 && running != null) {
                running.cancel(true);
            }
        }
    }
}
