package io.engram.query.planner;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Names;
import io.engram.query.api.Query;
import java.util.Optional;

/**
 * How the planner bounds and shapes plans.
 *
 * @param maxFanout {@code query.max_fanout}: the most exchanges (node requests, or single calls) a plan lets be in flight at once, >= 1
 * @param maxSpaces {@code query.max_spaces}: the most spaces one query may name, in [1, {@value Query#MAX_SPACES}]; a
 *     query naming more is rejected before planning
 * @param defaultStrategy the planning strategy used when a query names none; empty chooses by query type
 */
public record PlannerConfig(int maxFanout, int maxSpaces, Optional<String> defaultStrategy) {
    public static final int DEFAULT_MAX_FANOUT = 64;
    public static final int DEFAULT_MAX_SPACES = 1024;

    public PlannerConfig {
        if (maxFanout < 1) {
            throw new IllegalArgumentException("query.max_fanout must be >= 1, got " + maxFanout);
        }
        if (maxSpaces < 1 || maxSpaces > Query.MAX_SPACES) {
            throw new IllegalArgumentException(
                    "query.max_spaces must be in [1, " + Query.MAX_SPACES + "], got " + maxSpaces);
        }
        requireNonNull(defaultStrategy, "default strategy is null");
        defaultStrategy.ifPresent(name -> Names.check("planning strategy", name));
    }

    /** Fan-out 64, at most 1,024 spaces per query, strategy chosen by query type. */
    public static PlannerConfig defaults() {
        return new PlannerConfig(DEFAULT_MAX_FANOUT, DEFAULT_MAX_SPACES, Optional.empty());
    }

    public PlannerConfig withMaxFanout(int newMaxFanout) {
        return new PlannerConfig(newMaxFanout, maxSpaces, defaultStrategy);
    }

    public PlannerConfig withMaxSpaces(int newMaxSpaces) {
        return new PlannerConfig(maxFanout, newMaxSpaces, defaultStrategy);
    }

    public PlannerConfig withDefaultStrategy(String name) {
        return new PlannerConfig(maxFanout, maxSpaces, Optional.of(name));
    }
}
