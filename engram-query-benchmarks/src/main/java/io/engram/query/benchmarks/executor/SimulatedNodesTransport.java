package io.engram.query.benchmarks.executor;

import static java.util.Objects.requireNonNull;

import io.engram.query.aggregation.merge.MatchOrder;
import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.Transport;
import io.engram.query.spi.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many nodes simulated in this JVM behind one {@link Transport} that batches (one exchange per node request, as the
 * tcp and http transports do): a node answers its request after a latency drawn from {@code [base − jitter, base +
 * jitter]}, every partition with {@code limit} matches of its space and, when the request asks for it, only the best
 * {@code reduceTo} over all of them (the node-side reduce of a real node). No sockets, no codec, no engine.
 *
 * <p>Two threads, so that a benchmark can tell the coordinator's CPU from the simulation's: the node's work (building
 * and reducing its answer) runs on {@link #NODE_THREAD}; the answer is then handed to {@link #NETWORK_THREAD}, which
 * completes the coordinator's future there, as a transport's I/O thread would (the coordinator's merge runs on it).
 *
 * <p>{@link #hold} parks every request to one node until {@link #releaseHeld}, to keep queries in flight with every
 * other node's answer merged. It owns its threads; {@link #close()} stops them.
 */
final class SimulatedNodesTransport implements Transport {
    static final String NODE_THREAD = "simulated-nodes";
    static final String NETWORK_THREAD = "simulated-network";

    private final ScheduledThreadPoolExecutor nodes = new ScheduledThreadPoolExecutor(1, r -> daemon(r, NODE_THREAD));
    private final ExecutorService network = Executors.newSingleThreadExecutor(r -> daemon(r, NETWORK_THREAD));
    private final Map<MemorySpaceId, Integer> indexBySpace;
    private final List<MemorySpaceId> spaces;
    private final int limit;
    private final long minNanos;
    private final long spreadNanos;
    /** Each space's own answer ({@code limit} matches), built on first use. */
    private final PartialResult[] ownAnswers;
    /** Each space's share of its node's reduced answer to a request for all its spaces, built on first use. */
    private final Map<NodeId, Map<MemorySpaceId, PartialResult>> reducedAnswers = new HashMap<>();

    private final Map<NodeId, Integer> spacesByNode;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object holdLock = new Object();
    private final Set<NodeId> held = new HashSet<>();
    private final List<Runnable> parked = new ArrayList<>();

    /**
     * @param placement each node's spaces (replication factor 1: a space on one node)
     * @param limit the matches each space has to offer
     */
    SimulatedNodesTransport(Map<NodeId, List<MemorySpaceId>> placement, int limit, Duration base, Duration jitter) {
        requireNonNull(placement, "placement is null");
        requireNonNull(base, "base is null");
        requireNonNull(jitter, "jitter is null");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, got " + limit);
        }
        if (jitter.isNegative() || jitter.compareTo(base) > 0) {
            throw new IllegalArgumentException("jitter must be in [0, base " + base + "], got " + jitter);
        }
        this.limit = limit;
        this.minNanos = base.minus(jitter).toNanos();
        this.spreadNanos = jitter.toNanos() * 2;
        List<MemorySpaceId> all = new ArrayList<>();
        Map<NodeId, Integer> counts = new HashMap<>();
        placement.forEach((node, held) -> {
            all.addAll(held);
            counts.put(node, held.size());
        });
        this.spaces = List.copyOf(all);
        this.spacesByNode = Map.copyOf(counts);
        Map<MemorySpaceId, Integer> index = new HashMap<>();
        for (int i = 0; i < spaces.size(); i++) {
            if (index.put(spaces.get(i), i) != null) {
                throw new IllegalArgumentException("space '" + spaces.get(i) + "' placed on two nodes");
            }
        }
        this.indexBySpace = index;
        this.ownAnswers = new PartialResult[spaces.size()];
        nodes.setRemoveOnCancelPolicy(true);
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public boolean batches() {
        return true;
    }

    @Override
    public CompletableFuture<PartialResult> execute(NodeId node, PartitionRequest request) {
        return executeAll(node, new NodeRequest(request.queryId(), List.of(request), 0))
                .thenApply(replies -> replies.get(0).result().orElseThrow());
    }

    @Override
    public CompletableFuture<List<PartitionReply>> executeAll(NodeId node, NodeRequest request) {
        Integer held = spacesByNode.get(node);
        if (held == null) {
            return CompletableFuture.failedFuture(TransportException.unreachable("no simulated node " + node));
        }
        CompletableFuture<List<PartitionReply>> result = new CompletableFuture<>();
        inFlight.incrementAndGet();
        long delay =
                minNanos + (spreadNanos == 0 ? 0 : ThreadLocalRandom.current().nextLong(spreadNanos + 1));
        ScheduledFuture<?> pending = nodes.schedule(
                () -> {
                    List<PartitionReply> replies = answer(node, request, held);
                    Runnable deliver = () -> network.execute(() -> {
                        inFlight.decrementAndGet();
                        result.complete(replies);
                    });
                    synchronized (holdLock) {
                        if (this.held.contains(node)) {
                            parked.add(deliver);
                            return;
                        }
                    }
                    deliver.run();
                },
                delay,
                TimeUnit.NANOSECONDS);
        result.whenComplete((r, e) -> {
            if (result.isCancelled() && pending.cancel(false)) {
                inFlight.decrementAndGet();
            }
        });
        return result;
    }

    /** The node's replies, in the request's order; runs on the node thread. */
    private List<PartitionReply> answer(NodeId node, NodeRequest request, int held) {
        List<PartitionRequest> partitions = request.partitions();
        List<PartitionReply> replies = new ArrayList<>(partitions.size());
        boolean reduce = request.reduceTo() > 0 && request.reduceTo() < partitions.size() * limit;
        if (reduce && request.reduceTo() == limit && partitions.size() == held) {
            // replication factor 1: a request for as many spaces as the node holds asks for all of them
            Map<MemorySpaceId, PartialResult> reduced = reducedAnswers.computeIfAbsent(node, n -> reduced(n, request));
            for (PartitionRequest p : partitions) {
                replies.add(PartitionReply.answered(reduced.get(p.space())));
            }
            return replies;
        }
        if (reduce) {
            reduced(node, request).values().forEach(r -> replies.add(PartitionReply.answered(r)));
            return replies;
        }
        for (PartitionRequest p : partitions) {
            replies.add(PartitionReply.answered(ownAnswer(node, p.space())));
        }
        return replies;
    }

    /** The best {@code reduceTo} matches over the request's spaces, each in its own space's result, in order. */
    private Map<MemorySpaceId, PartialResult> reduced(NodeId node, NodeRequest request) {
        List<Match> all = new ArrayList<>();
        for (PartitionRequest p : request.partitions()) {
            all.addAll(ownAnswer(node, p.space()).matches());
        }
        all.sort(MatchOrder.BEST_FIRST);
        Map<MemorySpaceId, List<Match>> kept = new HashMap<>();
        for (Match match : all.subList(0, Math.min(all.size(), request.reduceTo()))) {
            kept.computeIfAbsent(match.space(), s -> new ArrayList<>()).add(match);
        }
        Map<MemorySpaceId, PartialResult> out = new LinkedHashMap<>();
        for (PartitionRequest p : request.partitions()) {
            out.put(
                    p.space(),
                    new PartialResult(p.space(), node, kept.getOrDefault(p.space(), List.of()), 1.0, Duration.ZERO));
        }
        return out;
    }

    /**
     * A space's own answer (one node holds it): {@code limit} matches with confidences spread over (0, 1) by a fixed hash of the
     * space, so that a reduce keeps different spaces' matches on every node.
     */
    private PartialResult ownAnswer(NodeId node, MemorySpaceId space) {
        int i = indexBySpace.get(space);
        PartialResult answer = ownAnswers[i];
        if (answer == null) {
            List<Match> matches = new ArrayList<>(limit);
            for (int k = 0; k < limit; k++) {
                long mixed = (i * 0x9E3779B97F4A7C15L + k * 0xC2B2AE3D27D4EB4FL) >>> 11;
                double confidence = 0.05 + 0.9 * (mixed / (double) (1L << 53));
                matches.add(Match.of(MemoryId.of(space.value() + "-m" + k), space, Confidence.of(confidence), "m"));
            }
            matches.sort(MatchOrder.BEST_FIRST);
            answer = new PartialResult(space, node, List.copyOf(matches), 1.0, Duration.ZERO);
            ownAnswers[i] = answer;
        }
        return answer;
    }

    /** Parks every answer of {@code node} from now on, until {@link #releaseHeld}. */
    void hold(NodeId node) {
        synchronized (holdLock) {
            held.add(node);
        }
    }

    /** Delivers every parked answer and stops parking. */
    void releaseHeld() {
        List<Runnable> deliveries;
        synchronized (holdLock) {
            held.clear();
            deliveries = new ArrayList<>(parked);
            parked.clear();
        }
        deliveries.forEach(Runnable::run);
    }

    /** Exchanges sent and not yet answered, parked ones included. */
    int inFlight() {
        return inFlight.get();
    }

    /** Answers parked by {@link #hold}. */
    int parked() {
        synchronized (holdLock) {
            return parked.size();
        }
    }

    @Override
    public void close() {
        nodes.shutdownNow();
        network.shutdownNow();
    }
}
