package io.engram.query.planner.strategy;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.PlanStrategy;
import io.engram.query.api.Query;
import io.engram.query.api.QueryPlan;
import io.engram.query.spi.PlanningContext;
import io.engram.query.spi.PlanningStrategy;
import io.engram.query.spi.SpaceAssignment;
import java.util.List;

/**
 * {@code broadcast}: one target per space in the directory, for a query naming no space (which means every space). A
 * query that names spaces is refused rather than widened to spaces it did not ask for.
 */
public final class BroadcastStrategy implements PlanningStrategy {
    public static final String NAME = "broadcast";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public QueryPlan plan(Query query, PlanningContext context) {
        requireNonNull(query, "query is null");
        requireNonNull(context, "context is null");
        if (!query.spaces().isEmpty()) {
            throw new IllegalArgumentException("planning strategy '" + NAME
                    + "' reads every space, but the query names "
                    + query.spaces().size() + "; use "
                    + MultiPartitionStrategy.NAME);
        }
        List<SpaceAssignment> all = context.directory().assignments();
        PlanBuilder builder = new PlanBuilder(context, all.size());
        for (SpaceAssignment assignment : all) {
            builder.add(assignment);
        }
        return builder.build(PlanStrategy.BROADCAST, NAME);
    }
}
