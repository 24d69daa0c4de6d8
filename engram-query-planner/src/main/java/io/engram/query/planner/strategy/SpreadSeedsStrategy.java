package io.engram.query.planner.strategy;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.PlanStrategy;
import io.engram.query.api.Query;
import io.engram.query.api.QueryPlan;
import io.engram.query.api.SpreadQuery;
import io.engram.query.spi.PlanningContext;
import io.engram.query.spi.PlanningStrategy;
import io.engram.query.spi.SpaceAssignment;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code spread-seeds}: the first round of a distributed spread, sent only to the spaces holding the seeds. Activation
 * starts at the seeds, so a space holding none has nothing to spread in the first round; later rounds reach other
 * spaces through the frontier.
 *
 * <p>The seeds' spaces come from {@link io.engram.query.spi.SpaceDirectory#spaceOf}. When the directory can not place
 * every seed (memory ids do not carry their space in general), the plan covers every space the spread may reach (the
 * named spaces, or every space of the directory for a spread naming none) and each partition picks the seeds it
 * holds. A seed placed in a space the spread does not name starts nothing. A named space the directory does not know
 * is always planned, so that the answer lists it as missing. Refuses other query types.
 */
public final class SpreadSeedsStrategy implements PlanningStrategy {
    public static final String NAME = "spread-seeds";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public QueryPlan plan(Query query, PlanningContext context) {
        requireNonNull(query, "query is null");
        requireNonNull(context, "context is null");
        if (!(query instanceof SpreadQuery spread)) {
            throw new IllegalArgumentException("planning strategy '" + NAME + "' plans spread queries only, got a "
                    + query.type().name().toLowerCase(java.util.Locale.ROOT) + " query");
        }
        Optional<Set<MemorySpaceId>> seedSpaces = seedSpaces(spread, context);
        if (seedSpaces.isPresent()) {
            Set<MemorySpaceId> inScope = new LinkedHashSet<>(seedSpaces.get());
            if (!spread.spaces().isEmpty()) {
                inScope.retainAll(spread.spaces());
                // A named space the directory does not know is planned too, so that the answer reports it missing
                // (as for any query naming it) instead of silently leaving it out.
                for (MemorySpaceId named : spread.spaces()) {
                    if (context.directory().assignment(named).isEmpty()) {
                        inScope.add(named);
                    }
                }
            }
            PlanBuilder builder = new PlanBuilder(context, inScope.size());
            inScope.forEach(builder::add);
            return builder.build(
                    inScope.size() == 1 ? PlanStrategy.SINGLE_PARTITION : PlanStrategy.MULTI_PARTITION, NAME);
        }
        if (spread.spaces().isEmpty()) {
            List<SpaceAssignment> all = context.directory().assignments();
            PlanBuilder builder = new PlanBuilder(context, all.size());
            all.forEach(builder::add);
            return builder.build(PlanStrategy.BROADCAST, NAME);
        }
        PlanBuilder builder = new PlanBuilder(context, spread.spaces().size());
        spread.spaces().forEach(builder::add);
        return builder.build(PlanStrategy.MULTI_PARTITION, NAME);
    }

    /** The seeds' spaces in seed order, or empty when the directory can not place every seed. */
    private static Optional<Set<MemorySpaceId>> seedSpaces(SpreadQuery spread, PlanningContext context) {
        Set<MemorySpaceId> spaces = new LinkedHashSet<>();
        for (MemoryId seed : spread.seeds()) {
            Optional<MemorySpaceId> space = context.directory().spaceOf(seed);
            if (space.isEmpty()) {
                return Optional.empty();
            }
            spaces.add(space.get());
        }
        return Optional.of(spaces);
    }
}
