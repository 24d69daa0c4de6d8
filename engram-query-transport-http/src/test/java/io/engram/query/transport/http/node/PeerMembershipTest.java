package io.engram.query.transport.http.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.query.executor.engine.SyntheticSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Real nodes on loopback following each other's health with SWIM over HTTP. */
class PeerMembershipTest {
    private static final SyntheticSpec SPEC = new SyntheticSpec(3, 20, 8, 2, 1, 3L);
    private static final String FAST = "probe_interval_ms = 200\nprobe_timeout_ms = 100\nsuspicion_timeout_ms = 1000\n";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aStoppedPeerIsDeclaredDeadByEveryOtherNodeAndNoProbeThreadOutlivesTheNodes() throws Exception {
        try (LoopbackCluster cluster = LoopbackCluster.builder(SPEC)
                .nodes("n1", "n2", "n3")
                .clusterToml(FAST)
                .start()) {
            for (String node : new String[] {"n1", "n2"}) {
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    JsonNode h = health(cluster.node(node).url());
                    return h.at("/membership/requests_sent").asLong() > 5
                            && peer(h, "n3").path("membership").asText().equals("alive");
                });
            }

            cluster.stop("n3");

            for (String node : new String[] {"n1", "n2"}) {
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    JsonNode n3 = peer(health(cluster.node(node).url()), "n3");
                    return n3.path("membership").asText().equals("dead")
                            && !n3.path("reachable").asBoolean();
                });
            }
            // n2 may be suspected for a moment (a slow probe, and no third node to probe it indirectly): it refutes
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> peer(health(cluster.node("n1").url()), "n2")
                            .path("membership")
                            .asText()
                            .equals("alive"));
            JsonNode n1 = health(cluster.node("n1").url());
            assertThat(peer(n1, "n2").path("reachable").asBoolean()).isTrue();
            assertThat(n1.at("/membership/protocol").asText()).isEqualTo("swim");
            assertThat(n1.at("/membership/probing").asBoolean()).isTrue();
            assertThat(n1.at("/membership/suspicion_timeout_ms").asLong()).isEqualTo(1000);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> probeThreads() == 0);
    }

    @Test
    void membershipMessagesNeedTheClusterTokenAndAMalformedOneGetsA400NamingTheField() throws Exception {
        try (LoopbackCluster cluster = LoopbackCluster.builder(SPEC)
                .nodes("n1", "n2")
                .token("n1", "secret-token")
                .token("n2", "secret-token")
                .start()) {
            URI url = cluster.node("n1").url().resolve(PeerMembership.PATH);
            String ping = "{\"kind\":\"ping\",\"from\":\"n2\",\"incarnation\":0,\"gossip\":[]}";

            assertThat(post(url, ping, null).statusCode()).isEqualTo(401);

            HttpResponse<String> ok = post(url, ping, "secret-token");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(JSON.readTree(ok.body()).path("from").asText()).isEqualTo("n1");
            assertThat(JSON.readTree(ok.body()).path("target_reached").asBoolean())
                    .isTrue();

            HttpResponse<String> pong = post(url, ping.replace("\"ping\"", "\"pong\""), "secret-token");
            assertThat(pong.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(pong.body()).path("detail").asText())
                    .isEqualTo("kind must be one of ping, ping-req, got 'pong'");

            HttpResponse<String> state = post(
                    url,
                    ping.replace("[]", "[{\"node\":\"n2\",\"state\":\"zombie\",\"incarnation\":1}]"),
                    "secret-token");
            assertThat(state.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(state.body()).path("detail").asText())
                    .isEqualTo("gossip[0].state must be one of alive, suspect, dead, got 'zombie'");
        }
    }

    @Test
    void aNodeWithoutPeersStartsNoProbeThread() throws Exception {
        try (LoopbackCluster cluster =
                LoopbackCluster.builder(SPEC).nodes("n1").clusterToml(FAST).start()) {
            JsonNode h = health(cluster.node("n1").url());
            assertThat(h.at("/membership/probing").asBoolean()).isFalse();
            assertThat(probeThreads()).isZero();
        }
    }

    private JsonNode health(URI node) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(node.resolve("/cluster/health")).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static JsonNode peer(JsonNode health, String id) {
        for (JsonNode peer : health.path("peers")) {
            if (peer.path("node").asText().equals(id)) {
                return peer;
            }
        }
        throw new AssertionError("no peer " + id + " in " + health);
    }

    private HttpResponse<String> post(URI url, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long probeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(PeerMembership.THREAD_NAME))
                .count();
    }
}
