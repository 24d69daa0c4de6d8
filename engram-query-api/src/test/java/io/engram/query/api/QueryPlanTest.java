package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryPlanTest {
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final MemorySpaceId S2 = MemorySpaceId.of("s2");
    private static final MemorySpaceId S3 = MemorySpaceId.of("s3");
    private static final PlanTarget T1 = new PlanTarget(S1, List.of(NodeId.of("n1")));
    private static final PlanTarget T2 = new PlanTarget(S2, List.of(NodeId.of("n2")));
    private static final MissingPartition S3_UNREACHABLE =
            MissingPartition.of(S3, null, MissingReason.UNREACHABLE, "every copy is down");
    private static final Deadline DEADLINE = Deadline.after(Duration.ofSeconds(1), new FakeTicker());

    @Test
    void expectsTargetsAndUnreachablePartitions() {
        QueryPlan plan = plan(List.of(T1, T2), List.of(S3_UNREACHABLE), 8);

        assertThat(plan.expectedPartitions()).isEqualTo(3);
        assertThat(plan.isQueued()).isFalse();
    }

    @Test
    void isQueuedOnlyWhenTargetsExceedMaxInFlight() {
        assertThat(plan(List.of(T1, T2), List.of(), 2).isQueued()).isFalse();
        assertThat(plan(List.of(T1, T2), List.of(), 1).isQueued()).isTrue();
        assertThat(plan(List.of(T1), List.of(S3_UNREACHABLE), 1).isQueued()).isFalse();
    }

    @Test
    void anEmptyPlanExpectsNothing() {
        assertThat(plan(List.of(), List.of(), 1).expectedPartitions()).isZero();
    }

    @Test
    void copiesItsLists() {
        List<PlanTarget> targets = new ArrayList<>(List.of(T1));
        QueryPlan plan = plan(targets, List.of(), 4);

        targets.add(T2);

        assertThat(plan.targets()).containsExactly(T1);
    }

    @Test
    void rejectsASpaceTargetedTwice() {
        PlanTarget t1Elsewhere = new PlanTarget(S1, List.of(NodeId.of("n9")));

        assertThatThrownBy(() -> plan(List.of(T1, t1Elsewhere), List.of(), 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("plan must not target space 's1' twice");
    }

    @Test
    void rejectsASpaceBothTargetedAndUnreachable() {
        MissingPartition s1Unreachable = MissingPartition.of(S1, null, MissingReason.UNREACHABLE, "");

        assertThatThrownBy(() -> plan(List.of(T1), List.of(s1Unreachable), 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("plan must not list space 's1' twice");
    }

    @Test
    void rejectsASpaceUnreachableTwice() {
        assertThatThrownBy(() -> plan(List.of(), List.of(S3_UNREACHABLE, S3_UNREACHABLE), 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("plan must not list space 's3' twice");
    }

    @Test
    void rejectsMaxInFlightBelowOne() {
        assertThatThrownBy(() -> plan(List.of(T1), List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max in flight must be >= 1, got 0");
    }

    @Test
    void rejectsABadStrategyName() {
        assertThatThrownBy(() ->
                        new QueryPlan(List.of(T1), List.of(), DEADLINE, PlanStrategy.SINGLE_PARTITION, "Direct", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("planning strategy name must match [a-z][a-z0-9-]* (at most 64 characters), got 'Direct'");
        assertThatThrownBy(
                        () -> new QueryPlan(List.of(T1), List.of(), DEADLINE, PlanStrategy.SINGLE_PARTITION, null, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("planning strategy name is null");
    }

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> new QueryPlan(null, List.of(), DEADLINE, PlanStrategy.BROADCAST, "broadcast", 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("targets is null");
        assertThatThrownBy(() -> new QueryPlan(List.of(), null, DEADLINE, PlanStrategy.BROADCAST, "broadcast", 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("unreachable is null");
        assertThatThrownBy(() -> new QueryPlan(List.of(), List.of(), null, PlanStrategy.BROADCAST, "broadcast", 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("deadline is null");
        assertThatThrownBy(() -> new QueryPlan(List.of(), List.of(), DEADLINE, null, "broadcast", 1))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("strategy is null");
    }

    private static QueryPlan plan(List<PlanTarget> targets, List<MissingPartition> unreachable, int maxInFlight) {
        return new QueryPlan(targets, unreachable, DEADLINE, PlanStrategy.MULTI_PARTITION, "multi", maxInFlight);
    }
}
