package io.engram.query.planner.strategy;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.PlanStrategy;
import io.engram.query.api.Query;
import io.engram.query.api.QueryPlan;
import io.engram.query.spi.PlanningContext;
import io.engram.query.spi.PlanningStrategy;

/**
 * {@code single-partition}: a query naming exactly one space gets one target whose copies are ordered by the context
 * (this node first when it holds a usable copy, else the best-scored usable copy, the primary winning ties). The
 * default for a recall or complete naming one space.
 */
public final class SinglePartitionStrategy implements PlanningStrategy {
    public static final String NAME = "single-partition";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public QueryPlan plan(Query query, PlanningContext context) {
        requireNonNull(query, "query is null");
        requireNonNull(context, "context is null");
        int named = query.spaces().size();
        if (named != 1) {
            throw new IllegalArgumentException(
                    "planning strategy '" + NAME + "' needs a query naming exactly one space, got " + named);
        }
        return new PlanBuilder(context, 1).add(query.spaces().get(0)).build(PlanStrategy.SINGLE_PARTITION, NAME);
    }
}
