package io.engram.query.transport.http.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The execution model v2 over HTTP, with real nodes on loopback: three nodes (s1, s4 on n1; s2, s5 on n2; s3 on n3)
 * against one node holding all five spaces, the same synthetic data with cross-space edges.
 */
class ExecutionModelOverHttpTest {
    private static final SyntheticSpec SPEC = new SyntheticSpec(5, 80, 8, 4, 4, 0.3, 23L);
    private static final IntUnaryOperator THREE_NODES = space -> (space - 1) % 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final List<EngramNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(EngramNode::close);
    }

    /** Starts {@code count} nodes with {@code placement}; returns their ports. */
    private int[] start(int count, IntUnaryOperator placement) throws Exception {
        int[] ports = new int[count];
        for (int i = 0; i < count; i++) {
            ports[i] = LoopbackClusterToml.freePort();
        }
        for (int i = 0; i < count; i++) {
            nodes.add(EngramNode.start(
                    NodeConfig.fromToml(LoopbackClusterToml.toml(i, ports, SPEC, placement), Path.of("."), Map.of())));
        }
        return ports;
    }

    private static JsonNode query(int port, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/query"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static Map<String, Double> activations(JsonNode answer) {
        Map<String, Double> out = new HashMap<>();
        answer.get("matches")
                .forEach(m ->
                        out.put(m.get("memory_id").asText(), m.get("activation").asDouble()));
        return out;
    }

    private static double metric(int port, String name) throws Exception {
        String text = HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$")
                .matcher(text);
        assertThat(m.find()).as(name + " in /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aSpreadUnderNoisyOrDiffersFromMaxWhereMemoriesAreReachedTwiceAndEachEqualsOneNode() throws Exception {
        int[] cluster = start(3, THREE_NODES);
        int single = start(1, space -> 0)[0];
        MemorySpaceId seedSpace = MemorySpaceId.of("s2");
        String seeds = "[\"" + SyntheticDataGenerator.memoryId(seedSpace, 5).value() + "\",\""
                + SyntheticDataGenerator.memoryId(MemorySpaceId.of("s3"), 7).value() + "\"]";
        Map<String, Map<String, Double>> byPolicy = new HashMap<>();
        for (String policy : List.of("max", "noisy-or")) {
            String body = "{\"type\":\"spread\",\"seeds\":" + seeds + ",\"max_hops\":3,\"decay\":0.1,"
                    + "\"threshold\":0.02,\"limit\":1000,\"merge_policy\":\"" + policy + "\"}";
            JsonNode distributed = query(cluster[0], body);
            JsonNode local = query(single, body);

            assertThat(distributed.at("/coverage/missing_partitions").size())
                    .as(policy)
                    .isZero();
            Map<String, Double> d = activations(distributed);
            Map<String, Double> l = activations(local);
            assertThat(d).as(policy).hasSizeGreaterThan(20);
            assertThat(d.keySet()).as(policy).isEqualTo(l.keySet());
            l.forEach((id, a) -> assertThat(d.get(id)).as(policy + " " + id).isCloseTo(a, within(1e-9)));
            byPolicy.put(policy, d);
        }
        long reinforced = byPolicy.get("noisy-or").entrySet().stream()
                .filter(e -> e.getValue() > byPolicy.get("max").getOrDefault(e.getKey(), 0.0) + 1e-6)
                .count();
        assertThat(reinforced)
                .as("memories noisy-or activates above their best walk")
                .isGreaterThan(5);
    }

    @Test
    void aBroadcastRecallSendsOneRequestToEachOtherNode() throws Exception {
        int[] cluster = start(3, THREE_NODES);
        String body = "{\"type\":\"recall\",\"cue\":{\"content\":\"memory\"},\"limit\":20}";
        query(cluster[0], body); // connections and caches warm

        double before = metric(cluster[0], "engram_query_node_requests_total");
        JsonNode answer = query(cluster[0], body);
        double after = metric(cluster[0], "engram_query_node_requests_total");

        assertThat(after - before).isEqualTo(2.0); // n2 (s2, s5) and n3 (s3); n1 reads s1 and s4 itself
        assertThat(answer.at("/coverage/missing_partitions").size()).isZero();
        assertThat(answer.get("partitions").size()).isEqualTo(5);
    }
}
