package io.engram.query.executor.spread;

import static io.engram.query.executor.spread.SpreadGraphs.memory;
import static io.engram.query.executor.spread.SpreadGraphs.store;
import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.api.Cue;
import io.engram.query.api.Embedding;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartitionOutcome;
import io.engram.query.api.PartitionStatus;
import io.engram.query.api.Query;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryResult;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadQuery;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.engine.Edge;
import io.engram.query.executor.engine.MemoryStore;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.executor.fault.Fault;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.spi.TransportException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One request per node (execution model v2): with a transport that batches, a coordinator sends each node one request
 * carrying every space it serves for a round, and the answer, coverage and per-space outcomes are those of one request
 * per space.
 */
class NodeRequestsTest {
    private static final SyntheticDataGenerator DATA =
            new SyntheticDataGenerator(new SyntheticSpec(6, 200, 8, 4, 4, 0.3, 11L));
    private static final NodeId N3 = NodeId.of("n3");

    /** Six spaces on three nodes, two each; n1 coordinates. */
    private static Map<NodeId, MemoryStore> twoSpacesPerNode() {
        Map<NodeId, MemoryStore> stores = new LinkedHashMap<>();
        for (int node = 1; node <= 3; node++) {
            int n = node;
            stores.put(NodeId.of("n" + n), DATA.store(space -> DATA.spaces().indexOf(space) / 2 == n - 1));
        }
        return stores;
    }

    private static RecallQuery broadcastRecall() {
        Embedding cue = DATA.memories(DATA.spaces().get(2)).get(5).embedding();
        return RecallQuery.of(List.of(), Cue.of(cue), 15);
    }

    /** Runs {@code query} from n1, n3 under {@code n3Fault} when given; {@code nodeRequests[0]} gets the count. */
    private static QueryResult run(boolean batching, Fault n3Fault, Query query, long[] nodeRequests) throws Exception {
        try (SpreadCluster cluster = new SpreadCluster(
                twoSpacesPerNode(),
                SyntheticDataGenerator::spaceOf,
                SyntheticDataGenerator::spaceOf,
                QueryConfig.defaults())) {
            cluster.faults.batching(batching);
            if (n3Fault != null) {
                cluster.faults.inject(N3, n3Fault);
            }
            QueryResult result = cluster.run(query);
            nodeRequests[0] = cluster.metrics.count(QueryMetrics.NODE_REQUESTS);
            return result;
        }
    }

    @Test
    void aBroadcastRecallOverSixSpacesOnThreeNodesSendsTwoNodeRequestsAndAnswersAsBefore() throws Exception {
        long[] batched = new long[1];
        long[] perSpace = new long[1];
        QueryResult one = run(true, null, broadcastRecall(), batched);
        QueryResult each = run(false, null, broadcastRecall(), perSpace);

        assertThat(batched[0]).isEqualTo(2); // n2 and n3; n1's own spaces run locally
        assertThat(perSpace[0]).isEqualTo(4);
        assertThat(one.coverage().isComplete()).isTrue();
        assertThat(one.coverage().expectedPartitions()).isEqualTo(6);
        assertThat(one.partitions()).extracting(PartitionOutcome::status).containsOnly(PartitionStatus.OK);
        assertThat(one.matches()).extracting(Match::memoryId).isEqualTo(ids(each));
        assertThat(one.matches())
                .extracting(Match::confidence)
                .isEqualTo(each.matches().stream().map(Match::confidence).toList());
    }

    @Test
    void aNodeThatIsDownLosesItsSpacesAsUnreachableInOneExchange() throws Exception {
        long[] batched = new long[1];
        QueryResult result =
                run(true, Fault.fail(TransportException.unreachable("connection refused")), broadcastRecall(), batched);

        assertThat(result.coverage().respondingPartitions()).isEqualTo(4);
        assertThat(result.coverage().missing())
                .extracting(m -> m.space().value() + " " + m.reason())
                .containsExactlyInAnyOrder(
                        DATA.spaces().get(4).value() + " " + MissingReason.UNREACHABLE,
                        DATA.spaces().get(5).value() + " " + MissingReason.UNREACHABLE);
        assertThat(batched[0]).isEqualTo(2);
    }

    @Test
    void aSpreadGivesTheSameAnswerWithOneRequestPerNodeAsWithOnePerSpace() throws Exception {
        MemorySpaceId first = DATA.spaces().get(0);
        for (String policy : List.of("max", "noisy-or")) {
            SpreadQuery spread = new SpreadQuery(
                    List.of(SyntheticDataGenerator.memoryId(first, 3), SyntheticDataGenerator.memoryId(first, 40)),
                    List.of(),
                    3,
                    0.1,
                    0.01,
                    QueryOptions.limit(1000).withTimeout(Duration.ofSeconds(10)).withMergePolicy(policy));
            long[] batched = new long[1];
            long[] perSpace = new long[1];
            QueryResult one = run(true, null, spread, batched);
            QueryResult each = run(false, null, spread, perSpace);

            assertThat(one.coverage().isComplete()).as(policy).isTrue();
            assertThat(one.matches()).as(policy).hasSizeGreaterThan(20);
            assertThat(ids(one)).as(policy).isEqualTo(ids(each));
            assertThat(batched[0]).as(policy).isLessThan(perSpace[0]);
        }
    }

    @Test
    void aCrossingBetweenTwoSpacesOfOneNodeCostsNoRound() throws Exception {
        // n2 holds s1 and s2, both with a seed; s1-m0's edge leads into s2, whose s2-m1 leads on to s2-m2
        Map<NodeId, MemoryStore> stores = new LinkedHashMap<>();
        stores.put(NodeId.of("n1"), store(memory("s3-m0")));
        stores.put(
                NodeId.of("n2"),
                store(
                        memory("s1-m0", Edge.of("s2-m1", 0.9)),
                        memory("s2-m0"),
                        memory("s2-m1", Edge.of("s2-m2", 0.9)),
                        memory("s2-m2")));
        SpreadQuery spread = new SpreadQuery(
                List.of(MemoryId.of("s1-m0"), MemoryId.of("s2-m0")),
                List.of(),
                3,
                0.1,
                0.01,
                QueryOptions.limit(10).withTimeout(Duration.ofSeconds(10)));
        Map<Boolean, QueryResult> results = new HashMap<>();
        for (boolean batching : List.of(true, false)) {
            try (SpreadCluster cluster = new SpreadCluster(
                    stores, SyntheticDataGenerator::spaceOf, SyntheticDataGenerator::spaceOf, QueryConfig.defaults())) {
                cluster.faults.batching(batching);
                results.put(batching, cluster.run(spread));
            }
        }

        assertThat(results.get(false).spread().orElseThrow().rounds()).isEqualTo(2);
        assertThat(results.get(true).spread().orElseThrow().rounds()).isEqualTo(1);
        for (QueryResult result : results.values()) {
            assertThat(result.matches())
                    .extracting(m -> m.memoryId().value() + " " + m.activation().getAsDouble())
                    .containsExactly("s2-m1 0.81", "s2-m2 0.6561000000000001");
        }
    }

    private static List<MemoryId> ids(QueryResult result) {
        return result.matches().stream().map(Match::memoryId).toList();
    }
}
