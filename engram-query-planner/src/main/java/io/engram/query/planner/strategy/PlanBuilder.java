package io.engram.query.planner.strategy;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PlanStrategy;
import io.engram.query.api.PlanTarget;
import io.engram.query.api.QueryPlan;
import io.engram.query.spi.PlanningContext;
import io.engram.query.spi.SpaceAssignment;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the partitions of one plan. Each space becomes either a {@link PlanTarget} with its ordered usable copies
 * or, when it has none, a {@link MissingPartition} that the coverage still counts:
 *
 * <ul>
 *   <li>no usable copy: {@code UNREACHABLE} at the primary, the detail naming why each copy was left out;
 *   <li>a named space the directory does not know: {@code REJECTED} with detail {@code unknown space}, since asking
 *       another node would not help (the coverage drops instead of the query failing, like a lost partition).
 * </ul>
 *
 * <p>Not thread-safe: one builder per plan. Host strategies may use it too.
 */
public final class PlanBuilder {
    /** The detail of a named space that the directory does not know. */
    public static final String UNKNOWN_SPACE = "unknown space";

    private final PlanningContext context;
    private final List<PlanTarget> targets;
    private final List<MissingPartition> missing = new ArrayList<>();

    public PlanBuilder(PlanningContext context, int expectedSpaces) {
        this.context = requireNonNull(context, "context is null");
        this.targets = new ArrayList<>(Math.max(0, expectedSpaces));
    }

    /** Plans the named {@code space}, looking it up in the directory. */
    public PlanBuilder add(MemorySpaceId space) {
        requireNonNull(space, "space is null");
        context.directory()
                .assignment(space)
                .ifPresentOrElse(
                        this::add,
                        () -> missing.add(MissingPartition.of(space, null, MissingReason.REJECTED, UNKNOWN_SPACE)));
        return this;
    }

    /** Plans {@code assignment}'s space on its usable copies, or as unreachable when it has none. */
    public PlanBuilder add(SpaceAssignment assignment) {
        requireNonNull(assignment, "assignment is null");
        List<NodeId> ordered = context.orderedReplicas(assignment);
        if (ordered.isEmpty()) {
            missing.add(MissingPartition.of(
                    assignment.space(), assignment.primary(), MissingReason.UNREACHABLE, noCopyDetail(assignment)));
        } else {
            targets.add(new PlanTarget(assignment.space(), ordered));
        }
        return this;
    }

    public QueryPlan build(PlanStrategy strategy, String strategyName) {
        return new QueryPlan(targets, missing, context.deadline(), strategy, strategyName, context.maxFanout());
    }

    /** "no reachable copy (primary n1 unreachable, replica n2 circuit open)". */
    private String noCopyDetail(SpaceAssignment assignment) {
        StringBuilder detail = new StringBuilder("no reachable copy (primary ");
        appendCopy(detail, assignment.primary());
        for (NodeId replica : assignment.replicas()) {
            detail.append(", replica ");
            appendCopy(detail, replica);
        }
        return detail.append(')').toString();
    }

    private void appendCopy(StringBuilder detail, NodeId node) {
        // The context leaves a copy out when the detector says it is unreachable or its breaker is open; a copy the
        // detector still calls reachable was therefore left out by its breaker.
        detail.append(node).append(context.detector().isReachable(node) ? " circuit open" : " unreachable");
    }
}
