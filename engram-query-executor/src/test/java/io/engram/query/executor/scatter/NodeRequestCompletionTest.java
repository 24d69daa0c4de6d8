package io.engram.query.executor.scatter;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.PartitionOutcome;
import io.engram.query.api.PartitionStatus;
import io.engram.query.api.QueryResult;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.fault.Fault;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A node request is one exchange: its node is measured once for it, and its partitions are settled together; a peer
 * whose replies do not match what was asked loses those partitions with a reason instead of hanging the query.
 */
class NodeRequestCompletionTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");

    /** Three spaces on n1, two on n2, one copy each. */
    private static Map<String, List<String>> threeAndTwo() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        out.put("s1", List.of("n1"));
        out.put("s2", List.of("n1"));
        out.put("s3", List.of("n1"));
        out.put("s4", List.of("n2"));
        out.put("s5", List.of("n2"));
        return out;
    }

    @Test
    void aNodeRequestIsOneExchangeButOneLatencySamplePerAnsweredPartition() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(threeAndTwo(), QueryConfig.defaults())) {
            cluster.faults.batching(true);

            QueryResult result = cluster.run(ExecutorFixture.broadcast());

            assertThat(result.coverage().isComplete()).isTrue();
            assertThat(cluster.metrics.count(QueryMetrics.NODE_REQUESTS)).isEqualTo(2);
            assertThat(cluster.metrics.count(QueryMetrics.PARTITION_REQUESTS)).isEqualTo(5);
            assertThat(cluster.metrics.partitionLatency(N1).getCount()).isEqualTo(3); // per partition: hedge delays
            assertThat(cluster.metrics.partitionLatency(N2).getCount()).isEqualTo(2);
        }
    }

    @Test
    void callsOneByOneAreOneSampleEach() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(threeAndTwo(), QueryConfig.defaults())) {
            cluster.faults.batching(false);

            QueryResult result = cluster.run(ExecutorFixture.broadcast());

            assertThat(result.coverage().isComplete()).isTrue();
            assertThat(cluster.metrics.count(QueryMetrics.NODE_REQUESTS)).isEqualTo(5);
            assertThat(cluster.metrics.partitionLatency(N1).getCount()).isEqualTo(3);
            assertThat(cluster.metrics.partitionLatency(N2).getCount()).isEqualTo(2);
        }
    }

    @Test
    void aPeerThatAnswersTooFewPartitionsLosesItsSpacesAsFailedAndTheOthersStillAnswer() throws Exception {
        UnaryOperator<Transport> dropsLastReply = tampering(N1, replies -> replies.subList(0, replies.size() - 1));
        try (ExecutorFixture cluster = new ExecutorFixture(threeAndTwo(), QueryConfig.defaults(), dropsLastReply)) {
            cluster.faults.batching(true);

            QueryResult result = cluster.run(ExecutorFixture.broadcast());

            assertThat(result.coverage().missing())
                    .extracting(MissingPartition::space)
                    .containsExactly(MemorySpaceId.of("s1"), MemorySpaceId.of("s2"), MemorySpaceId.of("s3"));
            assertThat(result.coverage().missing()).allSatisfy(missing -> {
                assertThat(missing.reason()).isEqualTo(MissingReason.FAILED);
                assertThat(missing.detail()).contains("n1 answered 2 partitions, asked for 3");
            });
            assertThat(result.partitions())
                    .filteredOn(p -> p.node().equals(Optional.of(N2)))
                    .extracting(PartitionOutcome::status)
                    .containsExactly(PartitionStatus.OK, PartitionStatus.OK);
            assertThat(cluster.metrics.partitionLatency(N1).getCount()).isZero();
        }
    }

    @Test
    void aPeerThatAnswersForAnotherSpaceLosesItsSpacesAsFailed() throws Exception {
        UnaryOperator<Transport> swapsReplies = tampering(N1, replies -> {
            List<PartitionReply> swapped = new ArrayList<>(replies);
            swapped.set(0, replies.get(1));
            swapped.set(1, replies.get(0));
            return swapped;
        });
        try (ExecutorFixture cluster = new ExecutorFixture(threeAndTwo(), QueryConfig.defaults(), swapsReplies)) {
            cluster.faults.batching(true);

            QueryResult result = cluster.run(ExecutorFixture.broadcast());

            assertThat(result.coverage().missing())
                    .hasSize(3)
                    .allSatisfy(missing -> assertThat(missing.detail())
                            .contains("n1 answered for space 's2' at partitions[0], asked for 's1'"));
            assertThat(result.coverage().respondingPartitions()).isEqualTo(2);
        }
    }

    @Test
    void maxFanoutCountsNodeRequestsSoABroadcastOverManySpacesLeavesAsOneRequestPerNode() throws Exception {
        Map<String, List<String>> twelve = new LinkedHashMap<>();
        for (int s = 1; s <= 12; s++) {
            twelve.put("s" + s, List.of("n" + ((s - 1) % 3 + 1))); // four spaces on each of three nodes, interleaved
        }
        QueryConfig fanoutTwo = QueryConfig.fromToml("[query]\nmax_fanout = 2\n[query.hedge]\nmode = \"off\"\n");
        try (ExecutorFixture cluster = new ExecutorFixture(twelve, fanoutTwo)) {
            cluster.faults.batching(true);
            slow(cluster, "n1", "n2", "n3");

            QueryResult result = cluster.run(ExecutorFixture.broadcast());

            assertThat(result.coverage().isComplete()).isTrue();
            assertThat(cluster.faults.maxInFlight()).isEqualTo(2);
            assertThat(cluster.metrics.count(QueryMetrics.NODE_REQUESTS)).isEqualTo(3);
            assertThat(cluster.metrics.count(QueryMetrics.PARTITION_REQUESTS)).isEqualTo(12);
        }
    }

    @Test
    void withoutBatchingMaxFanoutStillCountsEachCall() throws Exception {
        QueryConfig fanoutTwo = QueryConfig.fromToml("[query]\nmax_fanout = 2\n[query.hedge]\nmode = \"off\"\n");
        try (ExecutorFixture cluster = new ExecutorFixture(threeAndTwo(), fanoutTwo)) {
            cluster.faults.batching(false);
            slow(cluster, "n1", "n2");

            QueryResult result = cluster.run(ExecutorFixture.broadcast());

            assertThat(result.coverage().isComplete()).isTrue();
            assertThat(cluster.faults.maxInFlight()).isEqualTo(2);
            assertThat(cluster.metrics.count(QueryMetrics.NODE_REQUESTS)).isEqualTo(5);
        }
    }

    /** Every call to {@code nodes} takes 15 ms, so that calls started together overlap. */
    private static void slow(ExecutorFixture cluster, String... nodes) {
        for (String node : nodes) {
            cluster.faults.inject(NodeId.of(node), Fault.delay(Duration.ofMillis(15)));
        }
    }

    /** A transport whose node requests to {@code node} come back changed by {@code tamper}, unchecked. */
    private static UnaryOperator<Transport> tampering(NodeId node, UnaryOperator<List<PartitionReply>> tamper) {
        return inner -> new Transport() {
            @Override
            public CompletableFuture<PartialResult> execute(NodeId target, PartitionRequest request) {
                return inner.execute(target, request);
            }

            @Override
            public boolean batches() {
                return inner.batches();
            }

            @Override
            public CompletableFuture<List<PartitionReply>> executeAll(NodeId target, NodeRequest request) {
                CompletableFuture<List<PartitionReply>> replies = inner.executeAll(target, request);
                return target.equals(node) ? replies.thenApply(tamper) : replies;
            }
        };
    }
}
