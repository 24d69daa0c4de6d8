package io.engram.query.transport.http.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.engram.query.api.ImagineQuery;
import io.engram.query.api.Match;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryResult;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three real nodes on loopback (s1, s4 on n1; s2, s5 on n2; s3 on n3): an imagine whose seeds live on n2 and recalls
 * s1 and s3 fetches the seeds over the wire, blends them at the coordinator and sends the cue, answering like one
 * node holding every space.
 */
class DistributedImagineOverHttpTest {
    private static final SyntheticSpec SPEC = new SyntheticSpec(5, 60, 8, 4, 0, 11L);
    private final List<EngramNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(EngramNode::close);
    }

    @Test
    void imagineOverHttpEqualsOneNodeHoldingEverySpace() throws Exception {
        int[] ports = {LoopbackClusterToml.freePort(), LoopbackClusterToml.freePort(), LoopbackClusterToml.freePort()};
        for (int i = 0; i < 3; i++) {
            nodes.add(EngramNode.start(NodeConfig.fromToml(
                    LoopbackClusterToml.toml(i, ports, SPEC, space -> (space - 1) % 3), Path.of("."), Map.of())));
        }
        int[] singlePort = {LoopbackClusterToml.freePort()};
        EngramNode single = EngramNode.start(
                NodeConfig.fromToml(LoopbackClusterToml.toml(0, singlePort, SPEC, space -> 0), Path.of("."), Map.of()));
        nodes.add(single);
        ImagineQuery query = new ImagineQuery(
                List.of(
                        SyntheticDataGenerator.memoryId(MemorySpaceId.of("s2"), 4),
                        SyntheticDataGenerator.memoryId(MemorySpaceId.of("s5"), 33)),
                List.of(MemorySpaceId.of("s1"), MemorySpaceId.of("s3")),
                0.35,
                QueryOptions.limit(30).withTimeout(Duration.ofSeconds(10)));

        QueryResult distributed = nodes.get(0).queryService().execute(query).get(15, TimeUnit.SECONDS);
        QueryResult expected = single.queryService().execute(query).get(15, TimeUnit.SECONDS);

        assertThat(expected.matches()).hasSize(30);
        assertThat(distributed.coverage().isComplete()).isTrue();
        assertThat(distributed.matches())
                .extracting(Match::memoryId)
                .containsExactlyElementsOf(
                        expected.matches().stream().map(Match::memoryId).toList());
        for (int i = 0; i < expected.matches().size(); i++) {
            assertThat(distributed.matches().get(i).confidence().value())
                    .isCloseTo(expected.matches().get(i).confidence().value(), within(1e-9));
        }
        assertThat(distributed.confidence().value())
                .isCloseTo(expected.confidence().value(), within(1e-9));
    }
}
