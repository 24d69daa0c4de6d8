package io.engram.query.transport.tcp;

import io.engram.query.api.Confidence;
import io.engram.query.api.Cue;
import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.RecallQuery;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.TransportContext;
import io.engram.query.spi.config.ConfigValues;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** Requests, answers and a transport context for the tcp transport's tests. */
final class TcpFixtures {
    static final NodeId CALLER = NodeId.of("n1");
    static final NodeId SERVER = NodeId.of("n2");

    private TcpFixtures() {}

    static RecallQuery recall(String... spaces) {
        return RecallQuery.of(
                java.util.Arrays.stream(spaces).map(MemorySpaceId::of).toList(),
                Cue.of(Embedding.of(0.5f, -0.25f, 1.0f)),
                5);
    }

    static NodeRequest nodeRequest(Duration deadline, String... spaces) {
        RecallQuery query = recall(spaces);
        Deadline due = Deadline.after(deadline);
        return new NodeRequest(
                "q1",
                java.util.Arrays.stream(spaces)
                        .map(s -> new PartitionRequest("q1", query, MemorySpaceId.of(s), due))
                        .toList(),
                0);
    }

    /** One match per partition, named after its space. */
    static List<PartitionReply> answer(NodeRequest request) {
        return request.partitions().stream()
                .map(p -> PartitionReply.answered(new PartialResult(
                        p.space(),
                        SERVER,
                        List.of(Match.of(
                                MemoryId.of("m-" + p.space().value()), p.space(), Confidence.of(0.75), "é content")),
                        1.0,
                        Duration.ofMillis(1))))
                .toList();
    }

    /** A context whose transport addresses come from {@code addresses} at each call. */
    static TransportContext context(
            NodeId local, Optional<String> token, Supplier<Map<NodeId, URI>> addresses, ConfigValues settings) {
        return new TransportContext() {
            @Override
            public NodeId localNode() {
                return local;
            }

            @Override
            public Optional<URI> addressOf(NodeId node) {
                return Optional.empty();
            }

            @Override
            public ConfigValues settings() {
                return settings;
            }

            @Override
            public Optional<String> clusterToken() {
                return token;
            }

            @Override
            public Optional<URI> transportAddressOf(NodeId node) {
                return Optional.ofNullable(addresses.get().get(node));
            }
        };
    }
}
