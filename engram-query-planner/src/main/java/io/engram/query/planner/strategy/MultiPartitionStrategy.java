package io.engram.query.planner.strategy;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.PlanStrategy;
import io.engram.query.api.Query;
import io.engram.query.api.QueryPlan;
import io.engram.query.spi.PlanningContext;
import io.engram.query.spi.PlanningStrategy;

/**
 * {@code multi-partition}: one target per space the query names, in the query's order. The default for spread and
 * imagine, and for any query naming several spaces. A query naming no space is a broadcast and is refused here.
 */
public final class MultiPartitionStrategy implements PlanningStrategy {
    public static final String NAME = "multi-partition";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public QueryPlan plan(Query query, PlanningContext context) {
        requireNonNull(query, "query is null");
        requireNonNull(context, "context is null");
        if (query.spaces().isEmpty()) {
            throw new IllegalArgumentException("planning strategy '" + NAME
                    + "' needs a query naming at least one space; a query naming none reads every space ("
                    + BroadcastStrategy.NAME + ")");
        }
        PlanBuilder builder = new PlanBuilder(context, query.spaces().size());
        for (MemorySpaceId space : query.spaces()) {
            builder.add(space);
        }
        return builder.build(PlanStrategy.MULTI_PARTITION, NAME);
    }
}
