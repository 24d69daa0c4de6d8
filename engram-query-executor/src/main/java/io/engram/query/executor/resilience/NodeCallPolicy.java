package io.engram.query.executor.resilience;

import static java.util.Objects.requireNonNull;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.RetryPolicy;
import io.engram.query.api.Deadline;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.spi.TransportException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The Failsafe policies of calls to other nodes: one circuit breaker per node (its state is what the planner and the
 * partition detector see) and a retry policy per call, bounded by the query's deadline.
 */
public final class NodeCallPolicy {
    private final QueryConfig.RetryConfig retry;
    private final QueryConfig.CircuitBreakerConfig breakerConfig;
    private final QueryMetrics metrics;
    private final Map<NodeId, CircuitBreaker<PartialResult>> breakers = new ConcurrentHashMap<>();

    public NodeCallPolicy(QueryConfig config, QueryMetrics metrics) {
        this.retry = requireNonNull(config, "config is null").retry();
        this.breakerConfig = config.circuitBreaker();
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    /** The breaker of {@code node}, created closed on first use. */
    public CircuitBreaker<PartialResult> breaker(NodeId node) {
        return breakers.computeIfAbsent(node, n -> {
            CircuitBreaker<PartialResult> breaker = CircuitBreaker.<PartialResult>builder()
                    .withFailureThreshold(breakerConfig.failureThreshold())
                    .withDelay(breakerConfig.resetTimeout())
                    .withSuccessThreshold(breakerConfig.successThreshold())
                    .build();
            metrics.breakerState(n, () -> stateCode(breaker));
            return breaker;
        });
    }

    /**
     * Whether calls to {@code node} are currently refused by its breaker: open and its reset timeout not yet over.
     * Failsafe moves an open breaker to half-open only when a call asks it for a permit, so a breaker whose timeout
     * is over must not keep the planner from sending that trial call, or a node that came back would stay unused.
     */
    public boolean isOpen(NodeId node) {
        CircuitBreaker<PartialResult> breaker = breakers.get(node);
        return breaker != null
                && breaker.isOpen()
                && breaker.getRemainingDelay().compareTo(Duration.ZERO) > 0;
    }

    /** "closed", "half-open" or "open". */
    public String state(NodeId node) {
        CircuitBreaker<PartialResult> breaker = breakers.get(node);
        if (breaker == null) {
            return "closed";
        }
        return switch (breaker.getState()) {
            case CLOSED -> "closed";
            case HALF_OPEN -> "half-open";
            case OPEN -> "open";
        };
    }

    private static int stateCode(CircuitBreaker<?> breaker) {
        return switch (breaker.getState()) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        };
    }

    /**
     * A retry policy for one call under {@code deadline}: retryable failures only, exponential backoff with jitter, and
     * no retry scheduled past the deadline.
     */
    public <T> RetryPolicy<T> retryPolicy(Deadline deadline) {
        Duration remaining = deadline.remaining();
        var builder = RetryPolicy.<T>builder()
                .handleIf(NodeCallPolicy::isRetryable)
                .withMaxAttempts(retry.maxAttempts())
                .withMaxDuration(remaining.isZero() ? Duration.ofNanos(1) : remaining)
                .abortIf((result, failure) ->
                        deadline.remainingNanos() < retry.initialBackoff().toNanos() + 1_000_000L)
                .onRetry(e -> metrics.retry());
        if (remaining.compareTo(retry.initialBackoff()) <= 0) {
            // No time left to wait before a retry (abortIf refuses it anyway); Failsafe also rejects a delay that is
            // not below the max duration, which a call started late in the query (a failover, a spread round) hits.
            return builder.build();
        }
        if (retry.maxBackoff().compareTo(retry.initialBackoff()) > 0
                && !retry.initialBackoff().isZero()) {
            builder.withBackoff(retry.initialBackoff(), retry.maxBackoff());
        } else if (!retry.initialBackoff().isZero()) {
            builder.withDelay(retry.initialBackoff());
        }
        if (retry.jitter() > 0 && !retry.initialBackoff().isZero()) {
            builder.withJitter(retry.jitter());
        }
        return builder.build();
    }

    /** Whether a call failure is worth trying again on the same node. */
    public static boolean isRetryable(Throwable failure) {
        return unwrap(failure) instanceof TransportException te && te.isRetryable();
    }

    /** Whether a failure says something about the node's health (a rejected request does not). */
    public static boolean countsAgainstNode(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof TransportException te) {
            return te.reason() != MissingReason.REJECTED;
        }
        return !(cause instanceof IllegalArgumentException);
    }

    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
