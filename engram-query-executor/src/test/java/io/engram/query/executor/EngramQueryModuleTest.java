package io.engram.query.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.groups.Tuple.tuple;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import io.engram.query.aggregation.merge.MergePolicyRegistry;
import io.engram.query.api.Confidence;
import io.engram.query.api.Cue;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.PartitionOutcome;
import io.engram.query.api.PartitionStatus;
import io.engram.query.api.PlanStrategy;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryResult;
import io.engram.query.api.QueryService;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.Ticker;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.engine.EmbeddedQueryEngine;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.executor.plugin.TestMergePlugin;
import io.engram.query.planner.embedded.StaticSpaceDirectory;
import io.engram.query.spi.ClusterState;
import io.engram.query.spi.LocalQueryEngine;
import io.engram.query.spi.MergePolicy;
import io.engram.query.spi.PartitionDetector;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.QueryPlugin;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.SpaceDirectory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EngramQueryModuleTest {
    private static final NodeId HOST = NodeId.of("host-1");
    private static final MemorySpaceId A = MemorySpaceId.of("a");
    private static final MemorySpaceId B = MemorySpaceId.of("b");
    private static final MemoryId SHARED = MemoryId.of("shared");
    private static final MemoryId ONLY_A = MemoryId.of("only-a");

    private final List<Injector> injectors = new ArrayList<>();

    @AfterEach
    void stopThreads() {
        injectors.forEach(injector -> injector.getInstance(QueryNode.class).close());
    }

    @Test
    void defaultsAloneAnswerABroadcastOverTheEmptyEmbeddedEngine() {
        Injector injector = injector(new EngramQueryModule(QueryConfig.defaults()));

        QueryResult result = answer(injector, RecallQuery.of(List.of(), Cue.of("river"), 10));

        assertThat(result.matches()).isEmpty();
        assertThat(result.coverage().expectedPartitions()).isZero();
        assertThat(result.coverage().respondingPartitions()).isZero();
        assertThat(result.coverage().ratio()).isEqualTo(1.0);
        assertThat(result.coverage().missing()).isEmpty();
        assertThat(result.partitions()).isEmpty();
        assertThat(result.baseConfidence()).isEqualTo(Confidence.NONE);
        assertThat(result.confidence()).isEqualTo(Confidence.NONE);
        assertThat(result.strategy()).isEqualTo(PlanStrategy.BROADCAST);
        assertThat(result.consistency()).isEqualTo("best-effort");
        assertThat(injector.getInstance(SpaceDirectory.class).assignments()).isEmpty();
    }

    @Test
    void hostEngineWithSyntheticDataAnswersARecallAcrossItsSpacesWithFullCoverage() {
        SyntheticDataGenerator data = new SyntheticDataGenerator(new SyntheticSpec(3, 200, 16, 4, 2, 7L));
        EmbeddedQueryEngine engine = new EmbeddedQueryEngine(HOST, data.store(), Ticker.system());
        Injector injector = injector(
                new EngramQueryModule(QueryConfig.defaults(), HOST),
                binder -> EngramQueryModule.localQueryEngine(binder).toInstance(engine));
        MemorySpaceId s2 = SyntheticDataGenerator.spaceName(2);
        Cue cue = Cue.of(data.memories(s2).get(0).embedding());

        QueryResult result = answer(injector, RecallQuery.of(List.of(), cue, 5));

        assertThat(result.coverage().expectedPartitions()).isEqualTo(3);
        assertThat(result.coverage().respondingPartitions()).isEqualTo(3);
        assertThat(result.coverage().ratio()).isEqualTo(1.0);
        assertThat(result.coverage().missing()).isEmpty();
        assertThat(result.partitions())
                .extracting(PartitionOutcome::space, PartitionOutcome::status, PartitionOutcome::node)
                .containsExactlyInAnyOrder(
                        tuple(SyntheticDataGenerator.spaceName(1), PartitionStatus.OK, Optional.of(HOST)),
                        tuple(s2, PartitionStatus.OK, Optional.of(HOST)),
                        tuple(SyntheticDataGenerator.spaceName(3), PartitionStatus.OK, Optional.of(HOST)));
        assertThat(result.matches()).hasSize(5);
        Match best = result.matches().get(0);
        assertThat(best.memoryId()).isEqualTo(SyntheticDataGenerator.memoryId(s2, 0));
        assertThat(best.confidence().value()).isCloseTo(1.0, within(1e-6));
        // max merge: base is the best match's confidence; full coverage leaves it unpenalised.
        assertThat(result.baseConfidence()).isEqualTo(best.confidence());
        assertThat(result.confidence()).isEqualTo(result.baseConfidence());
        assertThat(result.strategy()).isEqualTo(PlanStrategy.BROADCAST);
        assertThat(injector.getInstance(LocalQueryEngine.class)).isSameAs(engine);
        assertThat(injector.getInstance(SpaceDirectory.class).assignments())
                .containsExactly(
                        new SpaceAssignment(SyntheticDataGenerator.spaceName(1), HOST, List.of()),
                        new SpaceAssignment(s2, HOST, List.of()),
                        new SpaceAssignment(SyntheticDataGenerator.spaceName(3), HOST, List.of()));
    }

    @Test
    void hostSpaceDirectoryDecidesWhatABroadcastReads() {
        SyntheticDataGenerator data = new SyntheticDataGenerator(new SyntheticSpec(3, 50, 8, 2, 0, 11L));
        EmbeddedQueryEngine engine = new EmbeddedQueryEngine(HOST, data.store(), Ticker.system());
        SpaceDirectory directory = new StaticSpaceDirectory(List.of(
                new SpaceAssignment(SyntheticDataGenerator.spaceName(1), HOST, List.of()),
                new SpaceAssignment(SyntheticDataGenerator.spaceName(3), HOST, List.of())));
        Injector injector = injector(new EngramQueryModule(QueryConfig.defaults(), HOST), binder -> {
            EngramQueryModule.localQueryEngine(binder).toInstance(engine);
            EngramQueryModule.spaceDirectory(binder).toInstance(directory);
        });

        QueryResult result = answer(injector, RecallQuery.of(List.of(), Cue.of("river"), 100));

        assertThat(injector.getInstance(SpaceDirectory.class)).isSameAs(directory);
        assertThat(result.coverage().expectedPartitions()).isEqualTo(2);
        assertThat(result.coverage().respondingPartitions()).isEqualTo(2);
        assertThat(result.partitions())
                .extracting(PartitionOutcome::space)
                .containsExactlyInAnyOrder(SyntheticDataGenerator.spaceName(1), SyntheticDataGenerator.spaceName(3));
        assertThat(result.matches())
                .isNotEmpty()
                .extracting(Match::space)
                .doesNotContain(SyntheticDataGenerator.spaceName(2));
    }

    @Test
    void hostPartitionDetectorDecidesWhichNodesAreReachable() {
        PartitionDetector everyNodeDown = new PartitionDetector() {
            @Override
            public boolean isReachable(NodeId node) {
                return false;
            }

            @Override
            public ClusterState state() {
                return ClusterState.PARTITIONED;
            }
        };
        Injector injector = injector(new EngramQueryModule(QueryConfig.defaults(), HOST), binder -> {
            EngramQueryModule.localQueryEngine(binder).toInstance(new DuplicateEngine());
            EngramQueryModule.partitionDetector(binder).toInstance(everyNodeDown);
        });

        QueryResult result = answer(injector, RecallQuery.of(List.of(A, B), Cue.of("memory"), 10));

        assertThat(injector.getInstance(PartitionDetector.class)).isSameAs(everyNodeDown);
        assertThat(result.matches()).isEmpty();
        assertThat(result.coverage().expectedPartitions()).isEqualTo(2);
        assertThat(result.coverage().respondingPartitions()).isZero();
        assertThat(result.coverage().ratio()).isZero();
        assertThat(result.coverage().missing())
                .extracting(MissingPartition::space, MissingPartition::reason)
                .containsExactlyInAnyOrder(tuple(A, MissingReason.UNREACHABLE), tuple(B, MissingReason.UNREACHABLE));
        assertThat(result.confidence()).isEqualTo(Confidence.NONE);
    }

    @Test
    void classPathPluginIsDiscoveredAndItsMergePolicySelectedByName() {
        Injector injector = injector(
                new EngramQueryModule(QueryConfig.defaults(), HOST),
                binder -> EngramQueryModule.localQueryEngine(binder).toInstance(new DuplicateEngine()));

        QueryResult lowest = answer(
                injector,
                new RecallQuery(
                        List.of(A, B),
                        Cue.of("memory"),
                        Confidence.NONE,
                        QueryOptions.limit(10).withMergePolicy(TestMergePlugin.LOWEST)));

        assertThat(injector.getInstance(MergePolicyRegistry.class).names())
                .containsExactly("lowest", "max", "noisy-or");
        assertThat(lowest.matches())
                .extracting(Match::memoryId, Match::space, Match::confidence)
                .containsExactly(tuple(ONLY_A, A, Confidence.of(0.6)), tuple(SHARED, B, Confidence.of(0.3)));
        // lowest's base: the lowest confidence of the answer; full coverage leaves it unpenalised.
        assertThat(lowest.baseConfidence()).isEqualTo(Confidence.of(0.3));
        assertThat(lowest.confidence()).isEqualTo(Confidence.of(0.3));
        assertThat(lowest.coverage().isComplete()).isTrue();

        QueryResult max = answer(injector, RecallQuery.of(List.of(A, B), Cue.of("memory"), 10));

        assertThat(max.matches())
                .extracting(Match::memoryId, Match::space, Match::confidence)
                .containsExactly(tuple(SHARED, A, Confidence.of(0.8)), tuple(ONLY_A, A, Confidence.of(0.6)));
        assertThat(max.baseConfidence()).isEqualTo(Confidence.of(0.8));
    }

    @Test
    void configuredDefaultMergePolicyMayBeAPlugins() {
        QueryConfig config = QueryConfig.fromToml("[query]\ndefault_merge_policy = \"lowest\"\n");
        Injector injector = injector(
                new EngramQueryModule(config, HOST),
                binder -> EngramQueryModule.localQueryEngine(binder).toInstance(new DuplicateEngine()));

        QueryResult result = answer(injector, RecallQuery.of(List.of(A, B), Cue.of("memory"), 10));

        assertThat(result.matches())
                .filteredOn(m -> m.memoryId().equals(SHARED))
                .extracting(Match::confidence)
                .containsExactly(Confidence.of(0.3));
        assertThat(result.baseConfidence()).isEqualTo(Confidence.of(0.3));
    }

    @Test
    void hostBoundInstanceOfAClassPathPluginCountsOnce() {
        Injector injector = injector(
                new EngramQueryModule(QueryConfig.defaults(), HOST),
                binder -> EngramQueryModule.plugins(binder).addBinding().toInstance(new TestMergePlugin()));

        assertThat(injector.getInstance(MergePolicyRegistry.class).names())
                .containsExactly("lowest", "max", "noisy-or");
    }

    @Test
    void hostPluginBringingAMergePolicyNameAlreadyTakenFailsInjectorCreation() {
        Module duplicate =
                binder -> EngramQueryModule.plugins(binder).addBinding().toInstance(new HostLowestPlugin());

        assertThatThrownBy(() -> injector(new EngramQueryModule(QueryConfig.defaults(), HOST), duplicate))
                .isInstanceOf(CreationException.class)
                .hasMessageContaining("merge policy 'lowest' is already registered");
    }

    @Test
    void unknownConfiguredDefaultMergePolicyFailsInjectorCreationListingTheKnownOnes() {
        QueryConfig config = QueryConfig.fromToml("[query]\ndefault_merge_policy = \"highest\"\n");

        assertThatThrownBy(() -> injector(new EngramQueryModule(config, HOST)))
                .isInstanceOf(CreationException.class)
                .hasMessageContaining("unknown merge policy 'highest'; known: lowest, max, noisy-or");
    }

    @Test
    void unknownMergePolicyInAQueryFailsTheFutureListingTheKnownOnes() {
        Injector injector = injector(new EngramQueryModule(QueryConfig.defaults(), HOST));
        RecallQuery query = new RecallQuery(
                List.of(),
                Cue.of("river"),
                Confidence.NONE,
                QueryOptions.limit(10).withMergePolicy("highest"));

        CompletableFuture<QueryResult> future =
                injector.getInstance(QueryService.class).execute(query);

        assertThatThrownBy(future::join)
                .isInstanceOf(CompletionException.class)
                .cause()
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown merge policy 'highest'; known: lowest, max, noisy-or");
    }

    @Test
    void unknownConsistencyPolicyInAQueryFailsTheFutureListingTheKnownOnes() {
        Injector injector = injector(new EngramQueryModule(QueryConfig.defaults(), HOST));
        RecallQuery query = new RecallQuery(
                List.of(),
                Cue.of("river"),
                Confidence.NONE,
                QueryOptions.limit(10).withConsistency("quorom"));

        CompletableFuture<QueryResult> future =
                injector.getInstance(QueryService.class).execute(query);

        assertThatThrownBy(future::join)
                .isInstanceOf(CompletionException.class)
                .cause()
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown consistency policy 'quorom'; known: all, best-effort, quorum");
    }

    private Injector injector(Module... modules) {
        Injector injector = Guice.createInjector(modules);
        injectors.add(injector);
        return injector;
    }

    private static QueryResult answer(Injector injector, RecallQuery query) {
        return injector.getInstance(QueryService.class)
                .execute(query)
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
    }

    /** Holds spaces a and b; memory {@code shared} is in both, 0.8 in a and 0.3 in b; {@code only-a} 0.6 in a. */
    private static final class DuplicateEngine implements LocalQueryEngine {
        private static final Map<MemorySpaceId, List<Match>> ANSWERS = Map.of(
                A,
                List.of(
                        Match.of(SHARED, A, Confidence.of(0.8), "shared memory, as a holds it"),
                        Match.of(ONLY_A, A, Confidence.of(0.6), "a memory of a alone")),
                B,
                List.of(Match.of(SHARED, B, Confidence.of(0.3), "shared memory, as b holds it")));

        @Override
        public boolean holds(MemorySpaceId space) {
            return ANSWERS.containsKey(space);
        }

        @Override
        public Set<MemorySpaceId> localSpaces() {
            return ANSWERS.keySet();
        }

        @Override
        public PartialResult execute(PartitionRequest request) {
            List<Match> matches = ANSWERS.get(request.space());
            if (matches == null) {
                throw new IllegalArgumentException("space '" + request.space() + "' is not held here");
            }
            return new PartialResult(request.space(), HOST, matches, 1.0, Duration.ZERO);
        }
    }

    /** A host plugin bringing a merge policy under the name the class-path {@link TestMergePlugin} already took. */
    private static final class HostLowestPlugin implements QueryPlugin {
        @Override
        public List<MergePolicy> mergePolicies() {
            return new TestMergePlugin().mergePolicies();
        }
    }
}
