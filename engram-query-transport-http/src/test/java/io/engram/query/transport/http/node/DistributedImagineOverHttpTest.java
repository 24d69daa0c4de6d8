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
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
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
        int[] ports = {freePort(), freePort(), freePort()};
        for (int i = 0; i < 3; i++) {
            nodes.add(EngramNode.start(
                    NodeConfig.fromToml(toml(i, ports, space -> (space - 1) % 3), Path.of("."), Map.of())));
        }
        int[] singlePort = {freePort()};
        EngramNode single =
                EngramNode.start(NodeConfig.fromToml(toml(0, singlePort, space -> 0), Path.of("."), Map.of()));
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

    /** Node {@code self} of {@code ports.length} nodes; space {@code s} has its primary on node {@code placement(s)}. */
    private static String toml(int self, int[] ports, IntUnaryOperator placement) {
        StringBuilder toml = new StringBuilder();
        toml.append("[node]\nid = \"n")
                .append(self + 1)
                .append("\"\nlisten = \"127.0.0.1:")
                .append(ports[self])
                .append("\"\n\n");
        for (int i = 0; i < ports.length; i++) {
            toml.append("[[cluster.nodes]]\nid = \"n")
                    .append(i + 1)
                    .append("\"\nurl = \"http://127.0.0.1:")
                    .append(ports[i])
                    .append("\"\n\n");
        }
        for (int space = 1; space <= SPEC.spaces(); space++) {
            toml.append("[[cluster.spaces]]\nid = \"s")
                    .append(space)
                    .append("\"\nprimary = \"n")
                    .append(placement.applyAsInt(space) + 1)
                    .append("\"\n\n");
        }
        toml.append(NodeConfig.engineToml(SPEC));
        return toml.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
