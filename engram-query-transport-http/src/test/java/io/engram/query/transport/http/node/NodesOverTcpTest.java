package io.engram.query.transport.http.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.query.executor.engine.SyntheticSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real nodes on loopback call each other over the tcp transport by default: each announces its tcp address in
 * {@code /cluster/health}, a peer learns it on its first call (which goes over HTTP) and uses tcp from then on; with
 * {@code transport.type = "http"} nothing is announced and every exchange is HTTP.
 */
class NodesOverTcpTest {
    private static final SyntheticSpec SPEC = new SyntheticSpec(3, 60, 8, 4, 3, 0.3, 5L);
    private static final String RECALL =
            "{\"type\":\"recall\",\"cue\":{\"embedding\":[1,0,0,0,0,0,0,0.5]},\"limit\":5," + "\"timeout_ms\":2000}";
    private static final String ONE_SPACE_EACH = "[[cluster.spaces]]\nid = \"s1\"\nprimary = \"n1\"\n\n"
            + "[[cluster.spaces]]\nid = \"s2\"\nprimary = \"n2\"\n\n[[cluster.spaces]]\nid = \"s3\"\nprimary = \"n3\"\n\n";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private LoopbackCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String get(EngramNode node, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(node.url().resolve(path)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static JsonNode recall(EngramNode node) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(node.url().resolve("/v1/query"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(RECALL))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static double exchanges(EngramNode node, String transport) throws Exception {
        // the Prometheus text format of the 0.16 client writes a comma after the last label
        Pattern sample = Pattern.compile(
                "(?m)^engram_query_peer_exchanges_total\\{transport=\"" + transport + "\",?\\} ([0-9.eE+-]+)$");
        Matcher m = sample.matcher(get(node, "/metrics"));
        assertThat(m.find()).as(sample + " in /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static JsonNode peer(JsonNode health, String id) {
        for (JsonNode peer : health.get("peers")) {
            if (peer.get("node").asText().equals(id)) {
                return peer;
            }
        }
        throw new AssertionError("no peer " + id + " in " + health);
    }

    @Test
    void nodesAnnounceTheirTcpAddressAndPeersSwitchToItAfterTheFirstCall() throws Exception {
        cluster = LoopbackCluster.builder(SPEC)
                .nodes("n1", "n2", "n3")
                .extraToml(ONE_SPACE_EACH)
                .start();
        EngramNode n1 = cluster.node("n1");
        JsonNode ownHealth = JSON.readTree(get(cluster.node("n2"), "/cluster/health"));
        assertThat(ownHealth.at("/transport/type").asText()).isEqualTo("tcp");
        assertThat(ownHealth.at("/transport/listen").asText()).matches("tcp://127\\.0\\.0\\.1:[0-9]+");

        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    recall(n1);
                    JsonNode health = JSON.readTree(get(n1, "/cluster/health"));
                    return peer(health, "n2").get("transport").asText().equals("tcp")
                            && peer(health, "n3").get("transport").asText().equals("tcp");
                });
        double tcpBefore = exchanges(n1, "tcp");
        double httpBefore = exchanges(n1, "http");

        for (int i = 0; i < 5; i++) {
            JsonNode answer = recall(n1);
            assertThat(answer.at("/coverage/missing_partitions").size()).isZero();
            assertThat(answer.get("matches").size()).isEqualTo(5);
        }

        assertThat(exchanges(n1, "tcp") - tcpBefore).isEqualTo(10); // 5 queries × 2 peers
        assertThat(exchanges(n1, "http")).isEqualTo(httpBefore);
    }

    @Test
    void withTransportTypeHttpNothingIsAnnouncedAndEveryExchangeIsHttp() throws Exception {
        cluster = LoopbackCluster.builder(SPEC)
                .nodes("n1", "n2", "n3")
                .extraToml(ONE_SPACE_EACH + "[transport]\ntype = \"http\"\n")
                .start();
        EngramNode n1 = cluster.node("n1");

        for (int i = 0; i < 5; i++) {
            assertThat(recall(n1).at("/coverage/missing_partitions").size()).isZero();
        }

        JsonNode health = JSON.readTree(get(n1, "/cluster/health"));
        assertThat(health.at("/transport/type").asText()).isEqualTo("http");
        assertThat(health.at("/transport").has("listen")).isFalse();
        assertThat(peer(health, "n2").get("transport").asText()).isEqualTo("http");
        assertThat(exchanges(n1, "tcp")).isZero();
        assertThat(exchanges(n1, "http")).isEqualTo(10);
    }

    @Test
    void aNodeSentGarbageOnItsTcpPortRefusesItAndServesOn() throws Exception {
        cluster = LoopbackCluster.builder(SPEC)
                .nodes("n1", "n2", "n3")
                .extraToml(ONE_SPACE_EACH)
                .start();
        EngramNode n2 = cluster.node("n2");
        URI tcp = URI.create(JSON.readTree(get(n2, "/cluster/health"))
                .at("/transport/listen")
                .asText());
        byte[] garbage = new byte[4096];
        new java.util.Random(3).nextBytes(garbage);
        for (int i = 0; i < 20; i++) {
            try (java.net.Socket socket = new java.net.Socket(tcp.getHost(), tcp.getPort())) {
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write(garbage, 0, 64 + i * 100);
                // refused and closed by the node: the read ends
                assertThat(socket.getInputStream().readAllBytes().length).isLessThan(1024);
            }
        }

        JsonNode health = JSON.readTree(get(n2, "/cluster/health"));
        assertThat(health.get("status").asText()).isEqualTo("ok");
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    recall(cluster.node("n1"));
                    return peer(JSON.readTree(get(cluster.node("n1"), "/cluster/health")), "n2")
                            .get("transport")
                            .asText()
                            .equals("tcp");
                });
        assertThat(recall(cluster.node("n1")).at("/coverage/missing_partitions").size())
                .isZero();
    }
}
