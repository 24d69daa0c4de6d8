package io.engram.query.executor.scatter;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartitionOutcome;
import io.engram.query.api.PartitionStatus;
import io.engram.query.api.QueryResult;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.fault.Fault;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.spi.TransportException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One request per node with replicas: a node that is down loses no space, each fails over to its other copy. */
class NodeRequestFailoverTest {
    /** Six spaces on three nodes, two copies each: s1, s2 primary on n1 and copy on n2, and so on around. */
    private static Map<String, List<String>> twoCopies() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int s = 1; s <= 6; s++) {
            int primary = (s - 1) / 2 + 1;
            out.put("s" + s, List.of("n" + primary, "n" + (primary % 3 + 1)));
        }
        return out;
    }

    @Test
    void allSpacesAnswerWithOneRequestPerNode() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(twoCopies(), QueryConfig.defaults())) {
            cluster.faults.batching(true);

            QueryResult result = cluster.run(ExecutorFixture.broadcast());

            assertThat(result.coverage().isComplete()).isTrue();
            assertThat(result.matches()).hasSize(12);
            assertThat(cluster.metrics.count(QueryMetrics.NODE_REQUESTS)).isEqualTo(3); // the coordinator holds none
            assertThat(cluster.metrics.count(QueryMetrics.PARTITION_REQUESTS)).isEqualTo(6);
        }
    }

    @Test
    void aNodeDownFailsItsSpacesOverToTheirOtherCopies() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(twoCopies(), QueryConfig.defaults())) {
            cluster.faults.batching(true);
            cluster.faults.inject(NodeId.of("n1"), Fault.fail(TransportException.unreachable("connection refused")));

            QueryResult result = cluster.run(ExecutorFixture.broadcast());

            assertThat(result.coverage().isComplete()).isTrue();
            assertThat(result.matches()).hasSize(12);
            assertThat(result.partitions()).extracting(PartitionOutcome::status).containsOnly(PartitionStatus.OK);
            assertThat(result.partitions())
                    .filteredOn(p -> p.space().equals(MemorySpaceId.of("s1"))
                            || p.space().equals(MemorySpaceId.of("s2")))
                    .allSatisfy(p -> {
                        assertThat(p.node()).contains(NodeId.of("n2"));
                        assertThat(p.attempts()).isEqualTo(2);
                    });
        }
    }
}
