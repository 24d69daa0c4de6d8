package io.engram.query.executor.imagine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.engram.query.api.Deadline;
import io.engram.query.api.ImagineBlend;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryResult;
import io.engram.query.api.SeedEmbedding;
import io.engram.query.api.Ticker;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.engine.EmbeddedQueryEngine;
import io.engram.query.executor.engine.MemoryStore;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.executor.fault.Fault;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.spread.SpreadCluster;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.TransportException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class ImagineCoordinatorTest {
    private static final Function<MemoryId, Optional<MemorySpaceId>> UNKNOWN = id -> Optional.empty();
    private static final Function<MemoryId, Optional<MemorySpaceId>> BY_NAME = SyntheticDataGenerator::spaceOf;
    private static final NodeId A = NodeId.of("a");
    private static final NodeId B = NodeId.of("b");
    private static final NodeId C = NodeId.of("c");
    private static final SyntheticDataGenerator DATA =
            new SyntheticDataGenerator(new SyntheticSpec(3, 60, 8, 3, 0, 11L));
    private static final MemorySpaceId S1 = space("s1");
    private static final MemorySpaceId S2 = space("s2");
    private static final MemorySpaceId S3 = space("s3");

    @Test
    void seedsOnAnotherNodeGiveTheSingleNodeAnswer() throws Exception {
        for (Function<MemoryId, Optional<MemorySpaceId>> directory : List.of(BY_NAME, UNKNOWN)) {
            for (double novelty : new double[] {0.0, 0.4, 1.0}) {
                ImagineQuery query = imagine(List.of(id(S1, 3), id(S1, 17), id(S1, 40)), List.of(S2, S3), novelty);

                QueryResult single = singleNode(query);
                QueryResult distributed;
                try (SpreadCluster cluster = threeNodes(directory)) {
                    distributed = cluster.run(query);
                }

                assertThat(single.matches()).hasSize(25);
                assertSameAnswer(distributed, single);
                assertThat(distributed.coverage().isComplete()).isTrue();
                assertThat(distributed.confidence()).isEqualTo(single.confidence());
            }
        }
    }

    @Test
    void seedsSpreadOverNodesAndRecalledSpacesGiveTheSingleNodeAnswer() throws Exception {
        ImagineQuery query = imagine(List.of(id(S1, 5), id(S2, 8), id(S3, 59), MemoryId.of("nowhere")), List.of(), 0.3);

        QueryResult single = singleNode(query);
        QueryResult distributed;
        try (SpreadCluster cluster = threeNodes(BY_NAME)) {
            distributed = cluster.run(query);
            // one client query, two executions: the seed fetch and the recall
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> cluster.clientQueriesFinished() == 1);
            assertThat(cluster.clientQueriesStarted()).isEqualTo(1);
            assertThat(cluster.metrics.count(QueryMetrics.labelled(QueryMetrics.SCATTERS, "phase", "imagine_seeds")))
                    .isEqualTo(1);
            assertThat(cluster.metrics.count(QueryMetrics.labelled(QueryMetrics.SCATTERS, "phase", "imagine_recall")))
                    .isEqualTo(1);
            assertThat(cluster.metrics.count(QueryMetrics.labelled(QueryMetrics.SCATTERS, "phase", "query")))
                    .isZero();
            assertThat(cluster.metrics.inFlight()).isZero();
        }

        assertSameAnswer(distributed, single);
        assertThat(distributed.matches()).extracting(Match::memoryId).doesNotContain(id(S1, 5), id(S2, 8), id(S3, 59));
    }

    @Test
    void seedsInMoreSpacesThanAQueryMayNameAreFetchedFromEverySpace() throws Exception {
        ImagineQuery query = imagine(List.of(id(S1, 5), id(S2, 8)), List.of(S3), 0.3);
        QueryConfig oneSpace = QueryConfig.fromToml("[query]\nmax_spaces = 1\n");

        QueryResult single = singleNode(query);
        QueryResult distributed;
        try (SpreadCluster cluster = new SpreadCluster(threeStores(), UNKNOWN, BY_NAME, oneSpace)) {
            distributed = cluster.run(query);
        }

        assertSameAnswer(distributed, single);
        assertThat(distributed.coverage().expectedPartitions()).isEqualTo(4);
        assertThat(distributed.coverage().isComplete()).isTrue();
    }

    @Test
    void lostSeedNodeBlendsTheSeedsFoundWithThePenaltyAndNamesThePartition() throws Exception {
        MemoryId lostSeed = id(S1, 3);
        MemoryId foundSeed = id(S2, 8);
        ImagineQuery query = imagine(List.of(lostSeed, foundSeed), List.of(S2, S3), 0.2);
        QueryResult result;
        try (SpreadCluster cluster = threeNodes(BY_NAME)) {
            cluster.faults.inject(A, Fault.fail(TransportException.failed("node lost", false)));
            result = cluster.run(query);
        }

        // Phase 1 asks s1 and s2, phase 2 asks s2 and s3: s1 is lost.
        assertThat(result.coverage().expectedPartitions()).isEqualTo(4);
        assertThat(result.coverage().respondingPartitions()).isEqualTo(3);
        assertThat(result.coverage().ratio()).isCloseTo(0.75, within(1e-12));
        assertThat(result.coverage().missing())
                .containsExactly(MissingPartition.of(S1, A, MissingReason.FAILED, "seed fetch: node lost"));
        assertThat(result.confidence().value())
                .isCloseTo(result.baseConfidence().value() * 0.75, within(1e-12));
        // The cue blends the seed found, with the noise of the query's full seed list.
        var cue = ImagineBlend.blend(
                List.of(DATA.store().segment(S2).orElseThrow().embedding(8)), query.seeds(), query.novelty());
        List<Match> expected = new java.util.ArrayList<>();
        for (MemorySpaceId space : List.of(S2, S3)) {
            expected.addAll(engine(DATA.store())
                    .execute(new PartitionRequest(
                            "q", space, Deadline.after(Duration.ofSeconds(5)), new PartitionTask.CueRecall(query, cue)))
                    .matches());
        }
        expected.sort(java.util.Comparator.comparing((Match m) -> m.confidence().value())
                .reversed()
                .thenComparing(Match::memoryId));
        assertThat(result.matches())
                .extracting(Match::memoryId)
                .containsExactlyElementsOf(expected.stream()
                        .limit(query.options().limit())
                        .map(Match::memoryId)
                        .toList());
    }

    @Test
    void noSeedFoundGivesAnEmptyAnswerWhoseCoverageSaysWhy() throws Exception {
        ImagineQuery query = imagine(List.of(id(S1, 3)), List.of(S2, S3), 0.2);
        QueryResult result;
        try (SpreadCluster cluster = threeNodes(BY_NAME)) {
            cluster.faults.inject(A, Fault.fail(TransportException.failed("node lost", false)));
            result = cluster.run(query);
            assertThat(cluster.faults.calls(B)).isZero();
            assertThat(cluster.faults.calls(C)).isZero();
        }

        assertThat(result.matches()).isEmpty();
        assertThat(result.coverage().expectedPartitions()).isEqualTo(1);
        assertThat(result.coverage().ratio()).isZero();
        assertThat(result.coverage().missing())
                .containsExactly(MissingPartition.of(S1, A, MissingReason.FAILED, "seed fetch: node lost"));
    }

    @Test
    void engineAnswersASeedFetchWithTheSeedsItHoldsInAnySpace() {
        EmbeddedQueryEngine engine = engine(DATA.store(s -> !s.equals(S3)));
        ImagineQuery query = imagine(List.of(id(S1, 1), id(S2, 2), id(S3, 3)), List.of(S3), 0.5);

        PartialResult answer = engine.execute(new PartitionRequest(
                "q", S2, Deadline.after(Duration.ofSeconds(5)), new PartitionTask.SeedFetch(query)));

        assertThat(answer.matches()).isEmpty();
        assertThat(answer.seeds())
                .containsExactly(
                        new SeedEmbedding(
                                id(S1, 1),
                                DATA.store().segment(S1).orElseThrow().embedding(1)),
                        new SeedEmbedding(
                                id(S2, 2),
                                DATA.store().segment(S2).orElseThrow().embedding(2)));
    }

    private static void assertSameAnswer(QueryResult actual, QueryResult expected) {
        assertThat(actual.matches())
                .extracting(Match::memoryId)
                .containsExactlyElementsOf(
                        expected.matches().stream().map(Match::memoryId).toList());
        for (int i = 0; i < expected.matches().size(); i++) {
            assertThat(actual.matches().get(i).confidence().value())
                    .as(expected.matches().get(i).memoryId().value())
                    .isCloseTo(expected.matches().get(i).confidence().value(), within(1e-9));
        }
        assertThat(actual.baseConfidence().value())
                .isCloseTo(expected.baseConfidence().value(), within(1e-9));
    }

    /** a holds s1 (the seeds), b holds s2, c holds s3; b coordinates. */
    private static SpreadCluster threeNodes(Function<MemoryId, Optional<MemorySpaceId>> directory) {
        return new SpreadCluster(threeStores(), UNKNOWN, directory, QueryConfig.defaults());
    }

    private static Map<NodeId, MemoryStore> threeStores() {
        Map<NodeId, MemoryStore> stores = new LinkedHashMap<>();
        stores.put(B, DATA.store(S2::equals));
        stores.put(A, DATA.store(S1::equals));
        stores.put(C, DATA.store(S3::equals));
        return stores;
    }

    private static QueryResult singleNode(ImagineQuery query) throws Exception {
        try (SpreadCluster cluster = new SpreadCluster(
                Map.of(NodeId.of("single"), DATA.store()), UNKNOWN, UNKNOWN, QueryConfig.defaults())) {
            return cluster.run(query);
        }
    }

    private static EmbeddedQueryEngine engine(MemoryStore store) {
        return new EmbeddedQueryEngine(NodeId.of("e"), store, Ticker.system());
    }

    private static ImagineQuery imagine(List<MemoryId> seeds, List<MemorySpaceId> spaces, double novelty) {
        return new ImagineQuery(seeds, spaces, novelty, QueryOptions.limit(25).withTimeout(Duration.ofSeconds(10)));
    }

    private static MemoryId id(MemorySpaceId space, int index) {
        return SyntheticDataGenerator.memoryId(space, index);
    }

    private static MemorySpaceId space(String name) {
        return MemorySpaceId.of(name);
    }
}
