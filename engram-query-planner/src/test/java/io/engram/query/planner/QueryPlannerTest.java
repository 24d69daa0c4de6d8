package io.engram.query.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.CompleteQuery;
import io.engram.query.api.Cue;
import io.engram.query.api.Deadline;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PlanStrategy;
import io.engram.query.api.PlanTarget;
import io.engram.query.api.Query;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryPlan;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadQuery;
import io.engram.query.planner.replica.ReplicaSelector;
import io.engram.query.spi.PlanningContext;
import io.engram.query.spi.PlanningStrategy;
import io.engram.query.spi.QueryPlugin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class QueryPlannerTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");
    private static final Deadline DEADLINE = Deadline.after(Duration.ofSeconds(2), () -> 0L);

    private final FakeSpaceDirectory directory = new FakeSpaceDirectory()
            .put("s1", "n2", "n1", "n3")
            .put("s2", "n3", "n1")
            .put("s3", "n1", "n2")
            .put("s4", "n2", "n3")
            .put("s5", "n3", "n2");
    private final FakePartitionDetector detector = new FakePartitionDetector();
    private final Set<NodeId> openBreakers = new HashSet<>();
    private final ReplicaSelector selector = new ReplicaSelector();

    @Test
    void singleSpaceRecallOnNodeHoldingTheSpacePlansOneLocalTarget() {
        QueryPlan plan = planner(N1).plan(recall("s1"), DEADLINE);

        assertThat(plan.strategy()).isEqualTo(PlanStrategy.SINGLE_PARTITION);
        assertThat(plan.strategyName()).isEqualTo("single-partition");
        assertThat(plan.targets()).containsExactly(new PlanTarget(space("s1"), List.of(N1, N2, N3)));
        assertThat(plan.unreachable()).isEmpty();
        assertThat(plan.deadline()).isSameAs(DEADLINE);
    }

    @Test
    void singleSpaceRecallElsewherePlansThePrimaryFirst() {
        QueryPlan plan = planner(NodeId.of("n9")).plan(recall("s1"), DEADLINE);

        assertThat(plan.targets()).containsExactly(new PlanTarget(space("s1"), List.of(N2, N1, N3)));
    }

    @Test
    void unreachablePrimaryPlansTheBestReplica() {
        detector.down("n2");
        observe(N1, 30);
        observe(N3, 5);

        QueryPlan plan = planner(NodeId.of("n9")).plan(recall("s1"), DEADLINE);

        assertThat(plan.targets()).containsExactly(new PlanTarget(space("s1"), List.of(N3, N1)));
    }

    @Test
    void unreachableLocalCopyIsNotPreferred() {
        detector.down("n1");

        QueryPlan plan = planner(N1).plan(recall("s1"), DEADLINE);

        assertThat(plan.targets()).containsExactly(new PlanTarget(space("s1"), List.of(N2, N3)));
    }

    @Test
    void completeNamingOneSpaceIsSinglePartition() {
        CompleteQuery complete = new CompleteQuery(
                List.of(space("s2")), Optional.empty(), Map.of("kind", "note"), QueryOptions.defaults());

        QueryPlan plan = planner(N1).plan(complete, DEADLINE);

        assertThat(plan.strategy()).isEqualTo(PlanStrategy.SINGLE_PARTITION);
        assertThat(plan.targets()).extracting(PlanTarget::space).containsExactly(space("s2"));
    }

    @Test
    void multiSpaceSpreadPlansExactlyTheNamedSpaces() {
        SpreadQuery spread = SpreadQuery.of(List.of(MemoryId.of("m1")), List.of(space("s4"), space("s2")), 10);

        QueryPlan plan = planner(N1).plan(spread, DEADLINE);

        assertThat(plan.strategy()).isEqualTo(PlanStrategy.MULTI_PARTITION);
        assertThat(plan.strategyName()).isEqualTo("multi-partition");
        assertThat(plan.targets())
                .containsExactly(
                        new PlanTarget(space("s4"), List.of(N2, N3)), new PlanTarget(space("s2"), List.of(N1, N3)));
        assertThat(plan.expectedPartitions()).isEqualTo(2);
    }

    @Test
    void spreadOrImagineNamingOneSpaceIsMultiPartition() {
        SpreadQuery spread = SpreadQuery.of(List.of(MemoryId.of("m1")), List.of(space("s1")), 10);
        ImagineQuery imagine =
                new ImagineQuery(List.of(MemoryId.of("m1")), List.of(space("s1")), 0.5, QueryOptions.defaults());

        assertThat(planner(N1).plan(spread, DEADLINE).strategy()).isEqualTo(PlanStrategy.MULTI_PARTITION);
        assertThat(planner(N1).plan(imagine, DEADLINE).strategy()).isEqualTo(PlanStrategy.MULTI_PARTITION);
    }

    @Test
    void recallNamingSeveralSpacesIsMultiPartition() {
        QueryPlan plan = planner(N1).plan(recall("s1", "s3"), DEADLINE);

        assertThat(plan.strategy()).isEqualTo(PlanStrategy.MULTI_PARTITION);
        assertThat(plan.targets()).extracting(PlanTarget::space).containsExactly(space("s1"), space("s3"));
    }

    @Test
    void queryNamingNoSpacesBroadcastsToEverySpace() {
        QueryPlan plan = planner(N1).plan(recall(), DEADLINE);

        assertThat(plan.strategy()).isEqualTo(PlanStrategy.BROADCAST);
        assertThat(plan.strategyName()).isEqualTo("broadcast");
        assertThat(plan.targets())
                .extracting(PlanTarget::space)
                .containsExactly(space("s1"), space("s2"), space("s3"), space("s4"), space("s5"));
        assertThat(plan.targets()).extracting(PlanTarget::preferred).containsExactly(N1, N1, N1, N2, N3);
    }

    @Test
    void spaceWithNoReachableCopyIsPlannedUnreachableAndStillExpected() {
        detector.down("n2");
        openBreakers.add(N3);

        QueryPlan plan = planner(N1).plan(recall(), DEADLINE);

        assertThat(plan.unreachable())
                .containsExactly(
                        MissingPartition.of(
                                space("s4"),
                                N2,
                                MissingReason.UNREACHABLE,
                                "no reachable copy (primary n2 unreachable, replica n3 circuit open)"),
                        MissingPartition.of(
                                space("s5"),
                                N3,
                                MissingReason.UNREACHABLE,
                                "no reachable copy (primary n3 circuit open, replica n2 unreachable)"));
        assertThat(plan.targets()).extracting(PlanTarget::space).containsExactly(space("s1"), space("s2"), space("s3"));
        assertThat(plan.expectedPartitions()).isEqualTo(5);
    }

    @Test
    void nodeWithOpenBreakerIsLeftOutOfReplicas() {
        openBreakers.add(N1);

        QueryPlan plan = planner(N1).plan(recall("s1"), DEADLINE);

        assertThat(plan.targets()).containsExactly(new PlanTarget(space("s1"), List.of(N2, N3)));
    }

    @Test
    void replicaOrderFollowsLatencyScoreAndFlipsWhenScoresFlip() {
        observe(N1, 5);
        observe(N3, 20);
        assertThat(planner(NodeId.of("n9"))
                        .plan(recall("s1"), DEADLINE)
                        .targets()
                        .get(0)
                        .replicas())
                .containsExactly(N1, N2, N3); // n2 unobserved: the mean of 5 and 20, 12.5, sits between

        for (int i = 0; i < 20; i++) {
            observe(N1, 50);
            observe(N3, 1);
        }
        assertThat(planner(NodeId.of("n9"))
                        .plan(recall("s1"), DEADLINE)
                        .targets()
                        .get(0)
                        .replicas())
                .containsExactly(N3, N2, N1);
    }

    @Test
    void namedSpaceUnknownToTheDirectoryIsPlannedRejected() {
        QueryPlan plan = planner(N1).plan(recall("s1", "nope"), DEADLINE);

        assertThat(plan.targets()).extracting(PlanTarget::space).containsExactly(space("s1"));
        assertThat(plan.unreachable())
                .containsExactly(
                        new MissingPartition(space("nope"), Optional.empty(), MissingReason.REJECTED, "unknown space"));
        assertThat(plan.expectedPartitions()).isEqualTo(2);
    }

    @Test
    void unknownStrategyNameFailsListingTheKnownOnes() {
        Query query = new RecallQuery(
                List.of(space("s1")),
                Cue.of("x"),
                io.engram.query.api.Confidence.NONE,
                QueryOptions.defaults().withPlanningStrategy("fastest"));

        assertThatThrownBy(() -> planner(N1).plan(query, DEADLINE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unknown planning strategy 'fastest'; known: broadcast, multi-partition, single-partition, spread-seeds");
    }

    @Test
    void unknownConfiguredDefaultStrategyFailsAtConstruction() {
        assertThatThrownBy(() -> planner(N1, PlannerConfig.defaults().withDefaultStrategy("fastest"), builtIns()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "unknown planning strategy 'fastest'; known: broadcast, multi-partition, single-partition, spread-seeds");
    }

    @Test
    void queryNamingTooManySpacesIsRejected() {
        List<MemorySpaceId> spaces =
                IntStream.range(0, 2000).mapToObj(i -> space("s" + i)).toList();

        assertThatThrownBy(() -> planner(N1).plan(RecallQuery.of(spaces, Cue.of("x"), 10), DEADLINE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("query names 2000 spaces; at most 1024 are allowed (query.max_spaces)");
    }

    @Test
    void hostStrategyIsSelectedByNameFromQueryOptions() {
        PlanningStrategy localOnly = new LocalOnlyStrategy();
        List<PlanningStrategy> strategies = new ArrayList<>(builtIns());
        strategies.add(localOnly);
        Query query = new RecallQuery(
                List.of(),
                Cue.of("x"),
                io.engram.query.api.Confidence.NONE,
                QueryOptions.defaults().withPlanningStrategy("local-only"));

        QueryPlan plan = planner(N1, PlannerConfig.defaults(), strategies).plan(query, DEADLINE);

        assertThat(plan.strategyName()).isEqualTo("local-only");
        assertThat(plan.targets())
                .containsExactly(
                        new PlanTarget(space("s1"), List.of(N1)),
                        new PlanTarget(space("s2"), List.of(N1)),
                        new PlanTarget(space("s3"), List.of(N1)));
    }

    @Test
    void configuredDefaultStrategyAppliesWhenTheQueryNamesNone() {
        PlannerConfig config = PlannerConfig.defaults().withDefaultStrategy("multi-partition");

        QueryPlan plan = planner(N1, config, builtIns()).plan(recall("s1"), DEADLINE);

        assertThat(plan.strategy()).isEqualTo(PlanStrategy.MULTI_PARTITION);
    }

    @Test
    void planCarriesMaxFanoutAndIsQueuedBeyondIt() {
        QueryPlan plan = planner(N1, PlannerConfig.defaults().withMaxFanout(2), builtIns())
                .plan(recall(), DEADLINE);

        assertThat(plan.maxInFlight()).isEqualTo(2);
        assertThat(plan.isQueued()).isTrue();
        assertThat(planner(N1).plan(recall(), DEADLINE).maxInFlight()).isEqualTo(64);
    }

    @Test
    void singlePartitionChosenForSeveralSpacesFailsClearly() {
        Query query = new RecallQuery(
                List.of(space("s1"), space("s2")),
                Cue.of("x"),
                io.engram.query.api.Confidence.NONE,
                QueryOptions.defaults().withPlanningStrategy("single-partition"));

        assertThatThrownBy(() -> planner(N1).plan(query, DEADLINE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("planning strategy 'single-partition' needs a query naming exactly one space, got 2");
    }

    @Test
    void multiPartitionChosenForNoSpacesFailsClearly() {
        Query query = new RecallQuery(
                List.of(),
                Cue.of("x"),
                io.engram.query.api.Confidence.NONE,
                QueryOptions.defaults().withPlanningStrategy("multi-partition"));

        assertThatThrownBy(() -> planner(N1).plan(query, DEADLINE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("planning strategy 'multi-partition' needs a query naming at least one space; a query"
                        + " naming none reads every space (broadcast)");
    }

    @Test
    void broadcastChosenForNamedSpacesFailsClearly() {
        Query query = new RecallQuery(
                List.of(space("s1")),
                Cue.of("x"),
                io.engram.query.api.Confidence.NONE,
                QueryOptions.defaults().withPlanningStrategy("broadcast"));

        assertThatThrownBy(() -> planner(N1).plan(query, DEADLINE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("planning strategy 'broadcast' reads every space, but the query names 1; use"
                        + " multi-partition");
    }

    @Test
    void serviceLoaderFindsTheBuiltInStrategies() {
        List<String> names = new ArrayList<>();
        for (QueryPlugin plugin : ServiceLoader.load(QueryPlugin.class)) {
            plugin.planningStrategies().forEach(s -> names.add(s.name()));
        }

        assertThat(names).containsExactlyInAnyOrder("single-partition", "multi-partition", "broadcast", "spread-seeds");
    }

    @Test
    void duplicateStrategyNameIsRejected() {
        List<PlanningStrategy> strategies = new ArrayList<>(builtIns());
        strategies.add(new PlannerPlugin().planningStrategies().get(2));

        assertThatThrownBy(() -> new PlanningStrategyRegistry(strategies))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("planning strategy 'broadcast' is already registered (by"
                        + " io.engram.query.planner.strategy.BroadcastStrategy; again by"
                        + " io.engram.query.planner.strategy.BroadcastStrategy)");
    }

    private QueryPlanner planner(NodeId local) {
        return planner(local, PlannerConfig.defaults(), builtIns());
    }

    private QueryPlanner planner(NodeId local, PlannerConfig config, List<PlanningStrategy> strategies) {
        return new QueryPlanner(
                local,
                directory,
                detector,
                openBreakers::contains,
                selector,
                new PlanningStrategyRegistry(strategies),
                config);
    }

    private static List<PlanningStrategy> builtIns() {
        return new PlannerPlugin().planningStrategies();
    }

    private void observe(NodeId node, long millis) {
        selector.onCallStarted(node);
        selector.onCallSucceeded(node, Duration.ofMillis(millis));
    }

    private static MemorySpaceId space(String id) {
        return MemorySpaceId.of(id);
    }

    private static RecallQuery recall(String... spaces) {
        return RecallQuery.of(
                java.util.Arrays.stream(spaces).map(MemorySpaceId::of).toList(), Cue.of("x"), 10);
    }

    /** A host strategy: every space this node holds, served locally. */
    private static final class LocalOnlyStrategy implements PlanningStrategy {
        @Override
        public String name() {
            return "local-only";
        }

        @Override
        public QueryPlan plan(Query query, PlanningContext context) {
            List<PlanTarget> targets = context.directory().assignments().stream()
                    .filter(a -> a.isHeldBy(context.localNode()))
                    .map(a -> new PlanTarget(a.space(), List.of(context.localNode())))
                    .toList();
            return new QueryPlan(
                    targets, List.of(), context.deadline(), PlanStrategy.MULTI_PARTITION, name(), context.maxFanout());
        }
    }
}
