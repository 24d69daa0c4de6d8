package io.engram.query.planner.replica;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import io.engram.query.spi.SpaceAssignment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Predicate;

/**
 * Orders the copies of a space by how fast each node has been answering, in the spirit of Elasticsearch's adaptive
 * replica selection. Thread-safe; the executor reports every partition call and the planner asks for orders.
 *
 * <p>Score of a node, lower is better: {@code ewma × (1 + outstanding)}, where {@code ewma} is the exponentially
 * weighted moving average of its observed partition latency in milliseconds ({@code ewma ← α·sample + (1−α)·ewma}) and
 * {@code outstanding} is the number of calls to it started but not yet ended. The linear queue factor estimates the
 * wait of a new request behind the ones already queued (each costing about {@code ewma}); it is gentler than
 * Elasticsearch's cubic queue term, which suits a small cluster where one in-flight request is normal.
 *
 * <p>A copy goes ahead of another only when its score is lower by more than a factor {@value #BAND_RATIO} (scores under
 * {@value #BAND_FLOOR_MILLIS} ms all alike); closer scores keep the primary first: a few milliseconds of noise between healthy copies must not move a
 * space off its primary from one query to the next (it did, with one request per node, whose exchanges carry
 * different numbers of spaces).
 *
 * <p>A node never observed gets a neutral estimate, the mean {@code ewma} of the nodes observed so far (0 when none
 * is), so it ranks with an average node and gets tried rather than starved. A failed call ends the outstanding count
 * and is folded into the average as a sample of twice the node's current estimate (at least {@value
 * #MIN_FAILURE_PENALTY_MILLIS} ms), so a failing node drifts down the order without being dropped (the circuit breaker
 * and the partition detector decide that).
 */
public final class ReplicaSelector {
    public static final double DEFAULT_ALPHA = 0.3;
    static final double BAND_RATIO = 1.5;
    static final double BAND_FLOOR_MILLIS = 2.0;
    static final double MIN_FAILURE_PENALTY_MILLIS = 1.0;
    private static final long UNOBSERVED = Double.doubleToRawLongBits(Double.NaN);

    private final double alpha;
    private final ConcurrentMap<NodeId, NodeStats> stats = new ConcurrentHashMap<>();
    private final DoubleAdder ewmaSum = new DoubleAdder();
    private final AtomicInteger observedNodes = new AtomicInteger();

    /** A selector with smoothing factor {@value #DEFAULT_ALPHA}. */
    public ReplicaSelector() {
        this(DEFAULT_ALPHA);
    }

    /** @param alpha the weight of a new latency sample, in (0, 1]; 1 keeps only the last sample */
    public ReplicaSelector(double alpha) {
        if (!(alpha > 0.0 && alpha <= 1.0)) {
            throw new IllegalArgumentException("replica selection alpha must be in (0, 1], got " + alpha);
        }
        this.alpha = alpha;
    }

    /** A call to {@code node} started. Every start must be followed by a success or a failure report. */
    public void onCallStarted(NodeId node) {
        stats(node).outstanding.incrementAndGet();
    }

    /** A call to {@code node} answered after {@code latency}. */
    public void onCallSucceeded(NodeId node, Duration latency) {
        requireNonNull(latency, "latency is null");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, got " + latency);
        }
        NodeStats s = stats(node);
        s.end();
        observe(s, latency.toNanos() / 1_000_000.0);
    }

    /** A call to {@code node} failed: ends its outstanding count and penalises its estimate. */
    public void onCallFailed(NodeId node) {
        NodeStats s = stats(node);
        s.end();
        double estimate = estimate(s);
        observe(s, Math.max(MIN_FAILURE_PENALTY_MILLIS, 2 * estimate));
    }

    /**
     * A call to {@code node} ended without saying anything of its speed (cancelled, or cut short by a deadline that
     * was too short to blame the node): ends its outstanding count, leaves its estimate alone.
     */
    public void onCallAbandoned(NodeId node) {
        stats(node).end();
    }

    /** The node's current score, lower is better; see the class comment for the formula. */
    public double score(NodeId node) {
        requireNonNull(node, "node is null");
        NodeStats s = stats.get(node);
        if (s == null) {
            return meanEwma();
        }
        return estimate(s) * (1 + s.outstanding.get());
    }

    /**
     * The usable copies of {@code assignment} in the order to try them: {@code localNode} first when it holds a copy
     * and is usable; then by {@link #score} ascending where it differs by more than a factor {@value #BAND_RATIO}, the
     * primary winning closer scores, then by node id. Copies for which
     * {@code usable} is false are left out, so the list may be empty.
     */
    public List<NodeId> order(SpaceAssignment assignment, NodeId localNode, Predicate<NodeId> usable) {
        requireNonNull(assignment, "assignment is null");
        requireNonNull(localNode, "local node is null");
        requireNonNull(usable, "usable is null");
        NodeId primary = assignment.primary();
        List<NodeId> replicas = assignment.replicas();
        if (replicas.isEmpty()) { // one copy: nothing to rank (a broadcast over many such spaces pays this per space)
            return usable.test(primary) ? List.of(primary) : List.of();
        }
        int copies = replicas.size() + 1;
        NodeId[] nodes = new NodeId[copies];
        double[] scores = new double[copies];
        NodeId local = null;
        int n = 0;
        for (int i = 0; i < copies; i++) {
            NodeId node = i == 0 ? primary : replicas.get(i - 1);
            if (!usable.test(node)) {
                continue;
            }
            if (node.equals(localNode)) {
                local = node;
                continue;
            }
            // Insertion sort: a space has a handful of copies.
            double score = score(node);
            int at = n;
            while (at > 0 && before(node, score, nodes[at - 1], scores[at - 1], primary)) {
                nodes[at] = nodes[at - 1];
                scores[at] = scores[at - 1];
                at--;
            }
            nodes[at] = node;
            scores[at] = score;
            n++;
        }
        if (local == null) {
            return n == copies ? List.of(nodes) : List.of(Arrays.copyOf(nodes, n));
        }
        List<NodeId> ordered = new ArrayList<>(n + 1);
        ordered.add(local);
        for (int i = 0; i < n; i++) {
            ordered.add(nodes[i]);
        }
        return List.copyOf(ordered);
    }

    private static boolean before(NodeId a, double scoreA, NodeId b, double scoreB, NodeId primary) {
        // A score counts as better only when it is lower by more than a factor BAND_RATIO (under BAND_FLOOR_MILLIS all
        // alike):
        // noise between healthy copies does not reorder them; a copy clearly faster or less busy still moves ahead.
        double floorA = Math.max(scoreA, BAND_FLOOR_MILLIS);
        double floorB = Math.max(scoreB, BAND_FLOOR_MILLIS);
        if (floorA * BAND_RATIO < floorB) {
            return true;
        }
        if (floorB * BAND_RATIO < floorA) {
            return false;
        }
        if (a.equals(primary) || b.equals(primary)) {
            return a.equals(primary);
        }
        return a.compareTo(b) < 0;
    }

    private NodeStats stats(NodeId node) {
        requireNonNull(node, "node is null");
        return stats.computeIfAbsent(node, k -> new NodeStats());
    }

    private double estimate(NodeStats s) {
        double ewma = Double.longBitsToDouble(s.ewmaBits.get());
        return Double.isNaN(ewma) ? meanEwma() : ewma;
    }

    private double meanEwma() {
        int count = observedNodes.get();
        return count == 0 ? 0.0 : Math.max(0.0, ewmaSum.sum() / count);
    }

    private void observe(NodeStats s, double sampleMillis) {
        while (true) {
            long oldBits = s.ewmaBits.get();
            boolean first = oldBits == UNOBSERVED;
            double old = Double.longBitsToDouble(oldBits);
            double updated = first ? sampleMillis : alpha * sampleMillis + (1 - alpha) * old;
            if (s.ewmaBits.compareAndSet(oldBits, Double.doubleToRawLongBits(updated))) {
                if (first) {
                    ewmaSum.add(updated);
                    observedNodes.incrementAndGet();
                } else {
                    ewmaSum.add(updated - old);
                }
                return;
            }
        }
    }

    private static final class NodeStats {
        final AtomicLong ewmaBits = new AtomicLong(UNOBSERVED);
        final AtomicInteger outstanding = new AtomicInteger();

        void end() {
            outstanding.updateAndGet(o -> Math.max(0, o - 1));
        }
    }
}
