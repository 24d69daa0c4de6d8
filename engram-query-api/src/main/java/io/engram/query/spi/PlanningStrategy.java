package io.engram.query.spi;

import io.engram.query.api.Query;
import io.engram.query.api.QueryPlan;

/**
 * Decides which partitions a query reads and which copies may answer each. The planner picks one per query: the one
 * the query names, else the configured default, else the built-in for the query's type. Implementations must be
 * thread-safe and should not block.
 */
public interface PlanningStrategy extends Named {
    /**
     * Plans {@code query}. A space whose copies are all unreachable belongs in {@link QueryPlan#unreachable()}, not
     * dropped. Throws {@link IllegalArgumentException} with a clear message for a query this strategy can not plan.
     */
    QueryPlan plan(Query query, PlanningContext context);
}
