package io.engram.query.transport.http.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How a node's engine failures reach a peer over {@code POST /internal/v1/partition-query}, and over
 * {@code POST /internal/v1/node-query} as failed replies beside the partitions that answered.
 */
class PartitionEndpointTest {
    private static EngramNode node;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        node = EngramNode.start(NodeConfig.fromToml("""
                [node]
                id = "n1"
                listen = "127.0.0.1:0"
                [engine]
                dimensions = 4
                [engine.synthetic]
                spaces = 1
                memories_per_space = 20
                clusters = 2
                """, Path.of("."), Map.of("ENGRAM_CLUSTER_TOKEN", "tok-tok-tok")));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return post("/internal/v1/partition-query", body);
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create(node.url() + path))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer tok-tok-tok")
                        .header("Engram-Deadline-Ms", "500")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aSpaceThisNodeDoesNotHoldIsAConflictNotABadRequest() throws Exception {
        HttpResponse<String> response = post(
                "{\"query_id\":\"q\",\"space\":\"s9\",\"query\":{\"type\":\"recall\",\"cue\":{\"content\":\"x\"}}}");
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(response.body()).contains("space s9 is not held here").doesNotContain("Exception");
    }

    @Test
    void aWrongEmbeddingLengthIsABadRequest() throws Exception {
        HttpResponse<String> response = post(
                "{\"query_id\":\"q\",\"space\":\"s1\",\"query\":{\"type\":\"recall\",\"cue\":{\"embedding\":[1,2]}}}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("must have 4 dimensions, got 2");
    }

    @Test
    void aHeldSpaceAnswers() throws Exception {
        HttpResponse<String> response = post(
                "{\"query_id\":\"q\",\"space\":\"s1\",\"query\":{\"type\":\"recall\",\"cue\":{\"content\":\"memory\"},\"limit\":3}}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"space\":\"s1\"", "\"node\":\"n1\"");
    }

    @Test
    void aNodeRequestAnswersEachPartitionAndReducesOnTheNode() throws Exception {
        String recall = "{\"type\":\"recall\",\"cue\":{\"content\":\"memory\"},\"limit\":5}";
        HttpResponse<String> response = post(
                "/internal/v1/node-query",
                "{\"query_id\":\"q\",\"reduce_to\":2,\"partitions\":[{\"space\":\"s9\",\"query\":" + recall
                        + "},{\"space\":\"s1\",\"query\":" + recall + "}]}");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode partitions = new ObjectMapper().readTree(response.body()).get("partitions");
        assertThat(partitions.get(0).toString())
                .isEqualTo("{\"space\":\"s9\",\"error\":{\"reason\":\"unreachable\",\"retryable\":false,"
                        + "\"overloaded\":false,\"message\":\"space s9 is not held here\"}}");
        assertThat(partitions.get(1).get("space").asText()).isEqualTo("s1");
        assertThat(partitions.get(1).get("node").asText()).isEqualTo("n1");
        // the node keeps its best 2 matches over all its partitions (LocalPartitionRunner.runAll), not 5
        assertThat(partitions.get(1).get("matches")).hasSize(2);
    }
}
