package io.engram.query.planner.embedded;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.Ticker;
import io.engram.query.planner.CircuitBreakerView;
import io.engram.query.spi.ClusterState;
import io.engram.query.spi.PartitionDetector;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A partition detector for hosts that bind none, fed by what this node observes: the executor's call outcomes, the
 * node runtime's health probes and the executor's circuit breakers. Thread-safe.
 *
 * <ul>
 *   <li>A node becomes unreachable after {@code failureThreshold} consecutive failures ({@code TIMEOUT}, {@code
 *       UNREACHABLE} or {@code FAILED}; a {@code REJECTED} call proves nothing either way and is ignored), and is
 *       unreachable while its circuit breaker is open.
 *   <li>One success makes it reachable again and clears its failure count.
 *   <li>Half-open: a node marked down is tried again without a prober. Once {@code trialBackoff} has passed since it
 *       was marked down, one {@link #tryAdmitTrial} answers {@code true}, so one query's plan includes the node as a
 *       trial call; until the next backoff has passed every other plan leaves it out, and {@link #isReachable} and
 *       {@link #state()} still report it down. A failed trial doubles the backoff, up to {@code maxTrialBackoff}; a
 *       success clears it all. A trial that never reports (the plan chose another copy, or the call was cut short by
 *       its caller) is simply followed by the next one. A node the membership protocol declared dead gets no trial:
 *       the protocol says when it lives again ({@link #recordMembership}).
 *   <li>The local node is always reachable.
 *   <li>{@link #state()}: {@code PARTITIONED} while some node is unreachable; {@code HEALING} when all are reachable
 *       but some node came back (a success after being unreachable, or its breaker seen closing) within {@code
 *       healingWindow}; otherwise {@code CONNECTED}. A node that had never answered before (a peer still starting
 *       when this node came up) joins without healing, so a new cluster is {@code CONNECTED} as soon as every peer
 *       answers.
 * </ul>
 *
 * <p>A node first heard of through a {@code record} call joins the nodes it tracks.
 */
public final class ObservedPartitionDetector implements PartitionDetector {
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    public static final Duration DEFAULT_HEALING_WINDOW = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TRIAL_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_TRIAL_BACKOFF = Duration.ofSeconds(30);

    private final NodeId localNode;
    private final int failureThreshold;
    private final CircuitBreakerView breakers;
    private final Ticker ticker;
    private final long healingWindowNanos;
    private final long trialBackoffNanos;
    private final long maxTrialBackoffNanos;
    private final Map<NodeId, NodeHealth> nodes = new ConcurrentHashMap<>();

    /** A detector with the default threshold (3 failures) and healing window (10 s), no breakers, the system clock. */
    public ObservedPartitionDetector(List<NodeId> nodes, NodeId localNode) {
        this(
                nodes,
                localNode,
                DEFAULT_FAILURE_THRESHOLD,
                CircuitBreakerView.none(),
                Ticker.system(),
                DEFAULT_HEALING_WINDOW);
    }

    /** A detector with the default trial backoff (1 s, doubling up to 30 s). */
    public ObservedPartitionDetector(
            List<NodeId> nodes,
            NodeId localNode,
            int failureThreshold,
            CircuitBreakerView breakers,
            Ticker ticker,
            Duration healingWindow) {
        this(
                nodes,
                localNode,
                failureThreshold,
                breakers,
                ticker,
                healingWindow,
                DEFAULT_TRIAL_BACKOFF,
                DEFAULT_MAX_TRIAL_BACKOFF);
    }

    /**
     * @param nodes the cluster's nodes, distinct
     * @param localNode this node, always reachable
     * @param failureThreshold consecutive failures that make a node unreachable, >= 1
     * @param breakers the executor's circuit breakers; an open one makes its node unreachable
     * @param ticker the clock of the healing window and of the trial backoff
     * @param healingWindow how long a node that came back keeps the cluster {@code HEALING}, >= 0
     * @param trialBackoff how long a node marked down waits for its first trial call, > 0
     * @param maxTrialBackoff the ceiling of the doubling backoff after failed trials, >= trialBackoff
     */
    public ObservedPartitionDetector(
            List<NodeId> nodes,
            NodeId localNode,
            int failureThreshold,
            CircuitBreakerView breakers,
            Ticker ticker,
            Duration healingWindow,
            Duration trialBackoff,
            Duration maxTrialBackoff) {
        requireNonNull(nodes, "nodes is null");
        this.localNode = requireNonNull(localNode, "local node is null");
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failure threshold must be >= 1, got " + failureThreshold);
        }
        this.failureThreshold = failureThreshold;
        this.breakers = requireNonNull(breakers, "breakers is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        requireNonNull(healingWindow, "healing window is null");
        if (healingWindow.isNegative()) {
            throw new IllegalArgumentException("healing window must not be negative, got " + healingWindow);
        }
        this.healingWindowNanos = healingWindow.toNanos();
        requireNonNull(trialBackoff, "trial backoff is null");
        requireNonNull(maxTrialBackoff, "max trial backoff is null");
        if (trialBackoff.isNegative() || trialBackoff.isZero()) {
            throw new IllegalArgumentException("trial backoff must be positive, got " + trialBackoff);
        }
        if (maxTrialBackoff.compareTo(trialBackoff) < 0) {
            throw new IllegalArgumentException(
                    "max trial backoff must be >= trial backoff (" + trialBackoff + "), got " + maxTrialBackoff);
        }
        this.trialBackoffNanos = trialBackoff.toNanos();
        this.maxTrialBackoffNanos = maxTrialBackoff.toNanos();
        Set<NodeId> seen = new HashSet<>();
        for (NodeId node : nodes) {
            requireNonNull(node, "nodes must not contain null");
            if (!seen.add(node)) {
                throw new IllegalArgumentException("nodes must not repeat an entry, got '" + node + "' twice");
            }
            if (!node.equals(localNode)) {
                this.nodes.put(node, new NodeHealth());
            }
        }
    }

    @Override
    public boolean isReachable(NodeId node) {
        requireNonNull(node, "node is null");
        if (node.equals(localNode)) {
            return true;
        }
        NodeHealth health = nodes.get(node);
        boolean breakerOpen = breakers.isOpen(node);
        if (health == null) {
            return !breakerOpen;
        }
        return health.isReachable(breakerOpen, ticker);
    }

    @Override
    public boolean tryAdmitTrial(NodeId node) {
        requireNonNull(node, "node is null");
        NodeHealth health = nodes.get(node);
        return health != null && !breakers.isOpen(node) && health.tryAdmitTrial(ticker, trialBackoffNanos);
    }

    @Override
    public ClusterState state() {
        boolean recovering = false;
        for (Map.Entry<NodeId, NodeHealth> entry : nodes.entrySet()) {
            NodeHealth health = entry.getValue();
            if (!health.isReachable(breakers.isOpen(entry.getKey()), ticker)) {
                return ClusterState.PARTITIONED;
            }
            recovering |= health.cameBackWithin(healingWindowNanos, ticker);
        }
        return recovering ? ClusterState.HEALING : ClusterState.CONNECTED;
    }

    @Override
    public void recordSuccess(NodeId node, Duration latency) {
        requireNonNull(latency, "latency is null");
        succeeded(node);
    }

    @Override
    public void recordFailure(NodeId node, MissingReason reason) {
        requireNonNull(reason, "reason is null");
        if (reason != MissingReason.REJECTED) {
            failed(node);
        }
    }

    /** A health probe of {@code node} answered ({@code ok}) or not; the same as a call's success or failure. */
    public void recordProbe(NodeId node, boolean ok) {
        if (ok) {
            succeeded(node);
        } else {
            failed(node);
        }
    }

    /**
     * The membership protocol's verdict on {@code node}: dead marks it unreachable at once, and no trial call goes to
     * it (the protocol keeps probing it and says when it lives: a blind trial would cost a query its deadline); alive
     * makes it reachable again.
     */
    public void recordMembership(NodeId node, boolean alive) {
        if (alive) {
            succeeded(node);
        } else {
            health(node).ifPresent(h -> h.markDown(ticker, trialBackoffNanos));
        }
    }

    /** Whether a call to {@code node} succeeded at or after {@code sinceNanos} of this detector's ticker. */
    public boolean answeredSince(NodeId node, long sinceNanos) {
        NodeHealth health = nodes.get(requireNonNull(node, "node is null"));
        return health != null && health.answeredSince(sinceNanos);
    }

    private void succeeded(NodeId node) {
        health(node).ifPresent(h -> h.succeeded(ticker));
    }

    private void failed(NodeId node) {
        health(node).ifPresent(h -> h.failed(failureThreshold, ticker, trialBackoffNanos, maxTrialBackoffNanos));
    }

    private Optional<NodeHealth> health(NodeId node) {
        requireNonNull(node, "node is null");
        if (node.equals(localNode)) {
            return Optional.empty();
        }
        return Optional.of(nodes.computeIfAbsent(node, n -> new NodeHealth()));
    }

    /** One node's observed health; guarded by its own lock, read often, changed rarely. */
    private static final class NodeHealth {
        private int consecutiveFailures;
        private boolean down;
        private boolean breakerWasOpen;
        private boolean cameBack;
        /** Whether the node ever answered: one that was never reached and answers now is joining, not healing. */
        private boolean everReached;

        private long cameBackAtNanos;
        /** Declared dead by the membership protocol: no trial call until it (or a call) says the node lives. */
        private boolean heldDeadByMembership;

        private long lastSuccessNanos;
        /** While down: when the next trial call may go out, and the backoff after a failed trial. */
        private long nextTrialAtNanos;

        private long backoffNanos;

        synchronized boolean isReachable(boolean breakerOpen, Ticker ticker) {
            if (breakerOpen) {
                breakerWasOpen = true;
                return false;
            }
            if (breakerWasOpen) {
                breakerWasOpen = false;
                if (!down && everReached) {
                    markCameBack(ticker);
                }
            }
            return !down;
        }

        synchronized boolean cameBackWithin(long windowNanos, Ticker ticker) {
            return cameBack && ticker.nanoTime() - cameBackAtNanos < windowNanos;
        }

        /** While down and the backoff is over: admits one trial and starts the next backoff. */
        synchronized boolean tryAdmitTrial(Ticker ticker, long initialBackoffNanos) {
            if (!down || heldDeadByMembership) {
                return false;
            }
            long now = ticker.nanoTime();
            if (now - nextTrialAtNanos < 0) {
                return false;
            }
            nextTrialAtNanos = now + Math.max(backoffNanos, initialBackoffNanos);
            return true;
        }

        synchronized boolean answeredSince(long sinceNanos) {
            return everReached && lastSuccessNanos - sinceNanos >= 0;
        }

        synchronized void markDown(Ticker ticker, long initialBackoffNanos) {
            heldDeadByMembership = true;
            if (down) {
                return;
            }
            down = true;
            backoffNanos = initialBackoffNanos;
            nextTrialAtNanos = ticker.nanoTime() + backoffNanos;
        }

        synchronized void succeeded(Ticker ticker) {
            heldDeadByMembership = false;
            lastSuccessNanos = ticker.nanoTime();
            consecutiveFailures = 0;
            backoffNanos = 0;
            if (down) {
                down = false;
                if (everReached) {
                    markCameBack(ticker);
                }
            }
            everReached = true;
        }

        synchronized void failed(int threshold, Ticker ticker, long initialBackoffNanos, long maxBackoffNanos) {
            if (consecutiveFailures < Integer.MAX_VALUE) {
                consecutiveFailures++;
            }
            if (consecutiveFailures < threshold) {
                return;
            }
            long now = ticker.nanoTime();
            if (!down) {
                down = true;
                backoffNanos = initialBackoffNanos;
            } else {
                // a failed trial (or a late failure of a call sent before): wait longer before the next trial
                backoffNanos = Math.min(maxBackoffNanos, Math.max(initialBackoffNanos, backoffNanos * 2));
            }
            nextTrialAtNanos = now + backoffNanos;
        }

        private void markCameBack(Ticker ticker) {
            cameBack = true;
            cameBackAtNanos = ticker.nanoTime();
        }
    }
}
