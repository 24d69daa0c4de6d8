package io.engram.query.transport.http.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The cluster token guards the internal endpoint, never leaks, and is required off loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityIT {
    private static final String PARTITION_BODY =
            "{\"query_id\":\"q-1\",\"space\":\"s1\",\"query\":" + ClusterHarness.recall(500) + "}";

    private ClusterHarness cluster;
    private final List<String> bodies = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        cluster = ClusterHarness.builder(Path.of("target/reliability/security"))
                .nodes("n1")
                .space("n1")
                .start();
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void internalEndpointRefusesMissingWrongAndWrongLengthTokensAndTheTokenNeverLeaks() throws Exception {
        String token = cluster.token();
        Map<String, String> attempts = new LinkedHashMap<>();
        attempts.put("no token", null);
        attempts.put("wrong token", "Bearer " + new StringBuilder(token).reverse());
        attempts.put("wrong length", "Bearer " + token.substring(0, token.length() - 1));
        attempts.put("longer", "Bearer " + token + "0");
        attempts.put("other scheme", "Basic " + token);
        attempts.put("empty bearer", "Bearer ");
        Map<String, Object> statuses = new LinkedHashMap<>();
        for (Map.Entry<String, String> a : attempts.entrySet()) {
            HttpResponse<String> response = partitionQuery(a.getValue());
            statuses.put(a.getKey(), response.statusCode());
            assertThat(response.statusCode()).as(a.getKey()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(response.body()).doesNotContain("matches").doesNotContain("memory_id");
        }
        HttpResponse<String> ok = partitionQuery("Bearer " + token);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"matches\"");
        // an error while authenticated must not echo the token either
        HttpResponse<String> bad = send("Bearer " + token, "{\"query_id\":\"" + token + "x\",\"space\":\"zz\"}");
        assertThat(bad.statusCode()).isEqualTo(400);

        String log = ClusterHarness.read(cluster.log("n1"));
        assertThat(log).isNotEmpty().doesNotContain(token);
        for (String body : bodies) {
            if (!body.contains("\"matches\"")) {
                assertThat(body).doesNotContain(token);
            }
        }
        ReliabilityResults.record(
                "security: cluster token",
                "partition queries with no token, a wrong one, a shorter and a longer one, Basic, empty Bearer",
                "all 401 problem+json with no data (" + statuses + "); the valid token 200; the token appears"
                        + " in none of " + bodies.size() + " response bodies nor in the node log ("
                        + log.length() + " chars)",
                statuses);
    }

    @Test
    void nodeOnANonLoopbackAddressWithoutTokenRefusesToStart() throws Exception {
        Path dir = Path.of("target/reliability/security-open").toAbsolutePath();
        Files.createDirectories(dir);
        Path config = dir.resolve("open.toml");
        Files.writeString(
                config,
                "[node]\nid = \"n1\"\nlisten = \"0.0.0.0:" + ClusterHarness.freePort() + "\"\n[engine]\ndimensions"
                        + " = 16\n[engine.synthetic]\nspaces = 1\nmemories_per_space = 10\n");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(
                java,
                "-XX:TieredStopAtLevel=1",
                "-jar",
                ClusterHarness.jar().toAbsolutePath().toString(),
                "serve",
                "--config",
                config.toString());
        builder.environment().keySet().removeIf(k -> k.startsWith("ENGRAM_"));
        builder.redirectOutput(dir.resolve("stdout.txt").toFile());
        builder.redirectError(dir.resolve("stderr.txt").toFile());
        Process process = builder.start();
        try {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
        String stderr = Files.readString(dir.resolve("stderr.txt")).strip();
        ReliabilityResults.record(
                "security: open listen address",
                "serve with node.listen = 0.0.0.0:<port> and no cluster token",
                "exit " + process.exitValue() + ", stderr: " + stderr,
                Map.of(
                        "exit_code",
                        process.exitValue(),
                        "stderr_lines",
                        stderr.lines().count()));
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(stderr.lines().count()).isEqualTo(1);
        assertThat(stderr).contains("is not a loopback address: a cluster token is required");
    }

    private HttpResponse<String> partitionQuery(String authorization) throws Exception {
        return send(authorization, PARTITION_BODY);
    }

    private HttpResponse<String> send(String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(cluster.url("n1").resolve("/internal/v1/partition-query"))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .header("Engram-Deadline-Ms", "500")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = cluster.http().send(request.build(), HttpResponse.BodyHandlers.ofString());
        bodies.add(response.body());
        return response;
    }
}
