package io.engram.query.transport.http.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.engram.query.api.Deadline;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryResult;
import io.engram.query.api.SpreadQuery;
import io.engram.query.api.Ticker;
import io.engram.query.executor.engine.EmbeddedQueryEngine;
import io.engram.query.executor.engine.Memory;
import io.engram.query.executor.engine.MemoryStore;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.spi.PartitionRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Three real nodes on loopback (s1, s4 on n1; s2, s5 on n2; s3 on n3): a spread crosses spaces held by other nodes, its starts and frontier on the wire. */
class DistributedSpreadOverHttpTest {
    private static final SyntheticSpec SPEC = new SyntheticSpec(5, 60, 8, 4, 4, 0.3, 11L);
    /** s1, s4 on n1; s2, s5 on n2; s3 on n3. */
    private static final IntUnaryOperator PLACEMENT = space -> (space - 1) % 3;

    private final List<EngramNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(EngramNode::close);
    }

    @Test
    void spreadOverHttpEqualsOneNodeSpreadOverTheWholeGraph() throws Exception {
        int[] ports = {LoopbackClusterToml.freePort(), LoopbackClusterToml.freePort(), LoopbackClusterToml.freePort()};
        for (int i = 0; i < 3; i++) {
            nodes.add(EngramNode.start(
                    NodeConfig.fromToml(LoopbackClusterToml.toml(i, ports, SPEC, PLACEMENT), Path.of("."), Map.of())));
        }
        SyntheticDataGenerator data = new SyntheticDataGenerator(SPEC);
        MemorySpaceId seedSpace = nodes.get(1).heldSpaces().iterator().next();
        SpreadQuery query = new SpreadQuery(
                List.of(SyntheticDataGenerator.memoryId(seedSpace, 5)),
                List.of(),
                4,
                0.1,
                0.02,
                QueryOptions.limit(QueryOptions.MAX_LIMIT).withTimeout(Duration.ofSeconds(10)));

        QueryResult result = nodes.get(0).queryService().execute(query).get(15, TimeUnit.SECONDS);

        Map<MemoryId, Double> expected = oneNode(data, query);
        assertThat(expected).hasSizeGreaterThan(20);
        assertThat(result.coverage().isComplete()).isTrue();
        assertThat(result.spread()).isPresent();
        assertThat(result.spread().get().rounds()).isGreaterThan(1);
        Map<MemoryId, Double> actual = new HashMap<>();
        for (Match match : result.matches()) {
            actual.put(match.memoryId(), match.activation().orElseThrow());
        }
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((id, a) -> assertThat(actual.get(id)).as(id.value()).isCloseTo(a, within(1e-9)));
        assertThat(result.matches())
                .extracting(Match::space)
                .contains(nodes.get(2).heldSpaces().toArray(MemorySpaceId[]::new));
    }

    @Test
    void theHttpAnswerOfASpreadSaysHowManyRoundsRan() throws Exception {
        int[] ports = {LoopbackClusterToml.freePort(), LoopbackClusterToml.freePort(), LoopbackClusterToml.freePort()};
        for (int i = 0; i < 3; i++) {
            nodes.add(EngramNode.start(
                    NodeConfig.fromToml(LoopbackClusterToml.toml(i, ports, SPEC, PLACEMENT), Path.of("."), Map.of())));
        }
        String seed = SyntheticDataGenerator.memoryId(
                        nodes.get(2).heldSpaces().iterator().next(), 1)
                .value();
        String body = "{\"type\":\"spread\",\"seeds\":[\"" + seed + "\"],\"max_hops\":3,\"limit\":50}";

        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[0] + "/v1/query"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).containsPattern("\"spread\":\\{\"rounds\":[2-4],\"stopped_early\":false}");
    }

    private static Map<MemoryId, Double> oneNode(SyntheticDataGenerator data, SpreadQuery query) {
        MemorySpaceId all = MemorySpaceId.of("all");
        MemoryStore.Builder builder = MemoryStore.builder(SPEC.dimensions());
        for (MemorySpaceId space : data.spaces()) {
            for (Memory m : data.memories(space)) {
                builder.add(new Memory(m.id(), all, m.embedding(), m.content(), m.confidence(), m.fields(), m.edges()));
            }
        }
        EmbeddedQueryEngine engine = new EmbeddedQueryEngine(NodeId.of("single"), builder.build(), Ticker.system());
        SpreadQuery whole = new SpreadQuery(
                query.seeds(), List.of(all), query.maxHops(), query.decay(), query.threshold(), query.options());
        PartialResult answer =
                engine.execute(new PartitionRequest("single", whole, all, Deadline.after(Duration.ofSeconds(10))));
        Map<MemoryId, Double> activations = new HashMap<>();
        answer.matches()
                .forEach(m -> activations.put(m.memoryId(), m.activation().orElseThrow()));
        return activations;
    }
}
