package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a query goes.
 *
 * @param targets the partitions to query, each with its ordered copies
 * @param unreachable expected partitions with no reachable copy, planned as missing ({@code UNREACHABLE}); the
 *     executor spends no time on them but the coverage counts them
 * @param deadline the query's one deadline
 * @param strategy the plan's shape
 * @param strategyName the planning strategy that made the plan
 * @param maxInFlight the most exchanges in flight at once (a node request counts once) ({@code query.max_fanout})
 */
public record QueryPlan(
        List<PlanTarget> targets,
        List<MissingPartition> unreachable,
        Deadline deadline,
        PlanStrategy strategy,
        String strategyName,
        int maxInFlight) {
    public QueryPlan {
        targets = List.copyOf(requireNonNull(targets, "targets is null"));
        unreachable = List.copyOf(requireNonNull(unreachable, "unreachable is null"));
        requireNonNull(deadline, "deadline is null");
        requireNonNull(strategy, "strategy is null");
        Names.check("planning strategy", strategyName);
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("max in flight must be >= 1, got " + maxInFlight);
        }
        List<MemorySpaceId> spaces = new ArrayList<>(targets.size() + unreachable.size());
        targets.forEach(t -> spaces.add(t.space()));
        unreachable.forEach(m -> spaces.add(m.space()));
        int repeated = DistinctEntries.firstRepeated(spaces);
        if (repeated >= 0) {
            throw new IllegalArgumentException("plan must not " + (repeated < targets.size() ? "target" : "list")
                    + " space '" + spaces.get(repeated) + "' twice");
        }
    }

    /** Every partition the answer should cover: targets plus unreachable ones. */
    public int expectedPartitions() {
        return targets.size() + unreachable.size();
    }

    /**
     * Whether there are more targets than {@link #maxInFlight()} slots, so that some must wait when each takes its
     * own (over a transport that batches, a node's targets share one slot).
     */
    public boolean isQueued() {
        return targets.size() > maxInFlight;
    }
}
