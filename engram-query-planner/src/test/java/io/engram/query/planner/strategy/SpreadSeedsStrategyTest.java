package io.engram.query.planner.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.Cue;
import io.engram.query.api.Deadline;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PlanStrategy;
import io.engram.query.api.PlanTarget;
import io.engram.query.api.QueryPlan;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadQuery;
import io.engram.query.planner.embedded.StaticSpaceDirectory;
import io.engram.query.spi.ClusterState;
import io.engram.query.spi.PartitionDetector;
import io.engram.query.spi.PlanningContext;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.SpaceDirectory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpreadSeedsStrategyTest {
    private static final Deadline DEADLINE = Deadline.after(Duration.ofSeconds(2), () -> 0L);
    private static final List<SpaceAssignment> SPACES =
            List.of(assignment("s1", "n1"), assignment("s2", "n2"), assignment("s3", "n3"), assignment("s4", "n1"));
    /** Memory ids name their space before the dash: "s2-m7" is in s2. */
    private static final StaticSpaceDirectory LOCATING = new StaticSpaceDirectory(
            SPACES,
            id -> id.value().contains("-")
                    ? Optional.of(MemorySpaceId.of(id.value().split("-")[0]))
                    : Optional.empty());

    private final SpreadSeedsStrategy strategy = new SpreadSeedsStrategy();

    @Test
    void seedsPlacedByTheDirectoryPlanOnlyTheirSpaces() {
        QueryPlan plan = strategy.plan(spread(List.of("s3-m1", "s1-m4", "s3-m2"), List.of()), context(LOCATING));

        assertThat(plan.targets()).extracting(PlanTarget::space).containsExactly(space("s3"), space("s1"));
        assertThat(plan.strategy()).isEqualTo(PlanStrategy.MULTI_PARTITION);
        assertThat(plan.strategyName()).isEqualTo("spread-seeds");
        assertThat(plan.targets().get(0).replicas()).containsExactly(NodeId.of("n3"));
    }

    @Test
    void oneSeedSpaceIsASinglePartitionPlan() {
        QueryPlan plan = strategy.plan(spread(List.of("s2-m1"), List.of()), context(LOCATING));

        assertThat(plan.targets()).extracting(PlanTarget::space).containsExactly(space("s2"));
        assertThat(plan.strategy()).isEqualTo(PlanStrategy.SINGLE_PARTITION);
    }

    @Test
    void seedSpacesOutsideTheNamedSpacesAreLeftOut() {
        QueryPlan plan = strategy.plan(spread(List.of("s2-m1", "s4-m1"), List.of("s1", "s4")), context(LOCATING));

        assertThat(plan.targets()).extracting(PlanTarget::space).containsExactly(space("s4"));
    }

    @Test
    void aNamedSpaceTheDirectoryDoesNotKnowIsPlannedAndReportedMissing() {
        QueryPlan plan = strategy.plan(spread(List.of("s2-m1"), List.of("s9", "s2", "s8")), context(LOCATING));

        assertThat(plan.targets()).extracting(PlanTarget::space).containsExactly(space("s2"));
        assertThat(plan.unreachable())
                .extracting(m -> m.space().value() + ": " + m.reason() + ", " + m.detail())
                .containsExactly("s9: REJECTED, unknown space", "s8: REJECTED, unknown space");
        assertThat(plan.expectedPartitions()).isEqualTo(3);
    }

    @Test
    void aSeedTheDirectoryCanNotPlaceSendsTheFirstRoundToEverySpaceOfTheSpread() {
        QueryPlan broadcast = strategy.plan(spread(List.of("s2-m1", "lonely"), List.of()), context(LOCATING));
        QueryPlan named =
                strategy.plan(spread(List.of("s2-m1"), List.of("s4", "s1")), context(new StaticSpaceDirectory(SPACES)));

        assertThat(broadcast.targets())
                .extracting(PlanTarget::space)
                .containsExactly(space("s1"), space("s2"), space("s3"), space("s4"));
        assertThat(broadcast.strategy()).isEqualTo(PlanStrategy.BROADCAST);
        assertThat(named.targets()).extracting(PlanTarget::space).containsExactly(space("s4"), space("s1"));
        assertThat(named.strategy()).isEqualTo(PlanStrategy.MULTI_PARTITION);
    }

    @Test
    void otherQueryTypesAreRefused() {
        RecallQuery recall = RecallQuery.of(List.of(), Cue.of("x"), 10);

        assertThatThrownBy(() -> strategy.plan(recall, context(LOCATING)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("planning strategy 'spread-seeds' plans spread queries only, got a recall query");
    }

    @Test
    void directoryNamesOnlyItsOwnSpaces() {
        assertThat(LOCATING.spaceOf(MemoryId.of("s9-m1"))).isEmpty();
        assertThat(LOCATING.spaceOf(MemoryId.of("s4-m1"))).contains(space("s4"));
        assertThat(new StaticSpaceDirectory(SPACES).spaceOf(MemoryId.of("s4-m1")))
                .isEmpty();
    }

    private static SpreadQuery spread(List<String> seeds, List<String> spaces) {
        return SpreadQuery.of(
                seeds.stream().map(MemoryId::of).toList(),
                spaces.stream().map(MemorySpaceId::of).toList(),
                10);
    }

    private static MemorySpaceId space(String name) {
        return MemorySpaceId.of(name);
    }

    private static SpaceAssignment assignment(String space, String node) {
        return new SpaceAssignment(MemorySpaceId.of(space), NodeId.of(node), List.of());
    }

    private static PlanningContext context(SpaceDirectory directory) {
        return new PlanningContext() {
            @Override
            public NodeId localNode() {
                return NodeId.of("n1");
            }

            @Override
            public SpaceDirectory directory() {
                return directory;
            }

            @Override
            public PartitionDetector detector() {
                return new PartitionDetector() {
                    @Override
                    public boolean isReachable(NodeId node) {
                        return true;
                    }

                    @Override
                    public ClusterState state() {
                        return ClusterState.CONNECTED;
                    }
                };
            }

            @Override
            public Deadline deadline() {
                return DEADLINE;
            }

            @Override
            public int maxFanout() {
                return 8;
            }

            @Override
            public List<NodeId> orderedReplicas(SpaceAssignment assignment) {
                return assignment.copies();
            }
        };
    }
}
