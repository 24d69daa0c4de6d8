package io.engram.query.planner;

import io.engram.query.api.NodeId;

/**
 * A read-only view of the per-node circuit breakers the executor keeps. The planner leaves a node whose breaker is
 * open out of every replica list, so a query does not spend its deadline on a node known to be failing.
 * Implementations must be thread-safe and cheap (the planner asks once per copy per plan).
 */
@FunctionalInterface
public interface CircuitBreakerView {
    /** Whether calls to {@code node} are currently refused by its breaker. */
    boolean isOpen(NodeId node);

    /** A view in which no breaker is ever open, for hosts and tests without breakers. */
    static CircuitBreakerView none() {
        return node -> false;
    }
}
