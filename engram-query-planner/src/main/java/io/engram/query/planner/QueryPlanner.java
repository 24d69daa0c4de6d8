package io.engram.query.planner;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Deadline;
import io.engram.query.api.NodeId;
import io.engram.query.api.Query;
import io.engram.query.api.QueryPlan;
import io.engram.query.planner.replica.ReplicaSelector;
import io.engram.query.planner.strategy.BroadcastStrategy;
import io.engram.query.planner.strategy.MultiPartitionStrategy;
import io.engram.query.planner.strategy.SinglePartitionStrategy;
import io.engram.query.spi.PartitionDetector;
import io.engram.query.spi.PlanningStrategy;
import io.engram.query.spi.SpaceDirectory;

/**
 * Turns a query into a {@link QueryPlan}: which partitions to read and which copies may answer each, best first.
 * Thread-safe; one instance per node.
 *
 * <p>Strategy choice, first that applies: the query's {@code options().planningStrategy()}; the configured default;
 * by shape: a query naming no space is a {@code broadcast}, a recall or complete naming exactly one space is {@code
 * single-partition}, anything else (spread, imagine, several spaces) is {@code multi-partition}.
 *
 * <p>A copy is usable when the partition detector calls its node reachable and its circuit breaker is not open;
 * usable copies are ordered by {@link ReplicaSelector#order}. A space with no usable copy is planned as missing
 * ({@code UNREACHABLE}), not dropped, so the coverage counts it.
 */
public final class QueryPlanner {
    private final NodeId localNode;
    private final SpaceDirectory directory;
    private final PartitionDetector detector;
    private final CircuitBreakerView breakers;
    private final ReplicaSelector selector;
    private final PlanningStrategyRegistry strategies;
    private final PlannerConfig config;

    /**
     * @throws IllegalArgumentException when the configured default strategy is not registered, listing the known ones
     */
    public QueryPlanner(
            NodeId localNode,
            SpaceDirectory directory,
            PartitionDetector detector,
            CircuitBreakerView breakers,
            ReplicaSelector selector,
            PlanningStrategyRegistry strategies,
            PlannerConfig config) {
        this.localNode = requireNonNull(localNode, "local node is null");
        this.directory = requireNonNull(directory, "directory is null");
        this.detector = requireNonNull(detector, "detector is null");
        this.breakers = requireNonNull(breakers, "breakers is null");
        this.selector = requireNonNull(selector, "selector is null");
        this.strategies = requireNonNull(strategies, "strategies is null");
        this.config = requireNonNull(config, "config is null");
        config.defaultStrategy().ifPresent(strategies::get);
    }

    /**
     * Plans {@code query} against the cluster as it looks now.
     *
     * @throws IllegalArgumentException when the query names more than {@code query.max_spaces} spaces, names an
     *     unknown strategy, or the chosen strategy can not plan it; the message says which
     */
    public QueryPlan plan(Query query, Deadline deadline) {
        requireNonNull(query, "query is null");
        requireNonNull(deadline, "deadline is null");
        int named = query.spaces().size();
        if (named > config.maxSpaces()) {
            throw new IllegalArgumentException("query names " + named + " spaces; at most " + config.maxSpaces()
                    + " are allowed (query.max_spaces)");
        }
        PlanningStrategy strategy = strategies.get(strategyName(query));
        QueryPlan plan = strategy.plan(
                query,
                new PlannerContext(localNode, directory, detector, breakers, selector, deadline, config.maxFanout()));
        if (plan == null) {
            throw new IllegalStateException("planning strategy '" + strategy.name() + "' returned no plan");
        }
        return plan;
    }

    /** The directory plans are made against (a distributed spread also asks it where frontier memories live). */
    public SpaceDirectory directory() {
        return directory;
    }

    /** The name of the strategy {@link #plan} would use for {@code query}. */
    public String strategyName(Query query) {
        requireNonNull(query, "query is null");
        return query.options().planningStrategy().or(config::defaultStrategy).orElseGet(() -> byShape(query));
    }

    private static String byShape(Query query) {
        int named = query.spaces().size();
        if (named == 0) {
            return BroadcastStrategy.NAME;
        }
        return switch (query.type()) {
            case RECALL, COMPLETE -> named == 1 ? SinglePartitionStrategy.NAME : MultiPartitionStrategy.NAME;
            case SPREAD, IMAGINE -> MultiPartitionStrategy.NAME;
        };
    }
}
