package io.engram.query.transport.http.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.transport.http.tls.PemKeyStores;
import io.engram.query.transport.http.tls.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The cluster token guards the internal endpoint and never leaks; off loopback a node needs a cluster token, an API
 * token and TLS; a node on 0.0.0.0 serves https and refuses anonymous queries; a mutual TLS cluster fails over.
 */
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
        Refusal refusal = serveExpectingRefusal(
                dir,
                "[node]\nid = \"n1\"\nlisten = \"0.0.0.0:" + ClusterHarness.freePort() + "\"\n[engine]\ndimensions"
                        + " = 16\n[engine.synthetic]\nspaces = 1\nmemories_per_space = 10\n");
        ReliabilityResults.record(
                "security: open listen address",
                "serve with node.listen = 0.0.0.0:<port> and no cluster token",
                "exit " + refusal.exitCode() + ", stderr: " + refusal.stderr(),
                Map.of(
                        "exit_code",
                        refusal.exitCode(),
                        "stderr_lines",
                        refusal.stderr().lines().count()));
        assertThat(refusal.exitCode()).isEqualTo(2);
        assertThat(refusal.stderr().lines().count()).isEqualTo(1);
        assertThat(refusal.stderr()).contains("is not a loopback address: a cluster token is required");
    }

    @Test
    void nodeOnAllAddressesWithBothTokensButNoTlsExitsTwoWithOneLineNamingTls() throws Exception {
        Path dir = Files.createDirectories(
                Path.of("target/reliability/security-no-tls").toAbsolutePath());
        Files.writeString(dir.resolve("cluster.token"), "cluster-" + cluster.token());
        Files.writeString(dir.resolve("api.token"), "api-" + cluster.token());
        Refusal refusal = serveExpectingRefusal(
                dir,
                "[node]\nid = \"n1\"\nlisten = \"0.0.0.0:" + ClusterHarness.freePort() + "\"\n"
                        + "[cluster]\ntoken_file = \"cluster.token\"\n[http]\napi_token_file = \"api.token\"\n"
                        + "[engine]\ndimensions = 16\n[engine.synthetic]\nspaces = 1\nmemories_per_space = 10\n");
        ReliabilityResults.record(
                "security: open listen address without TLS",
                "serve with node.listen = 0.0.0.0:<port>, a cluster token and an API token, no [tls]",
                "exit " + refusal.exitCode() + ", stderr: " + refusal.stderr(),
                Map.of(
                        "exit_code",
                        refusal.exitCode(),
                        "stderr_lines",
                        refusal.stderr().lines().count()));
        assertThat(refusal.exitCode()).isEqualTo(2);
        assertThat(refusal.stderr().lines().count()).isEqualTo(1);
        assertThat(refusal.stderr())
                .contains("is not a loopback address: TLS is required (set tls.cert_file and tls.key_file, or"
                        + " tls.allow_insecure = true to serve plain HTTP)")
                .doesNotContain("cluster token is required")
                .doesNotContain("API token is required")
                .doesNotContain(cluster.token());
    }

    @Test
    void nodeOnAllAddressesWithTlsAndAnApiTokenServesHttpsAndRefusesAnonymousQueries() throws Exception {
        Path dir = Files.createDirectories(
                Path.of("target/reliability/security-https").toAbsolutePath());
        TestCertificates ca = TestCertificates.authority(dir.resolve("certs"), "it-ca");
        TestCertificates.Issued certificate = ca.issue("it-node");
        String clusterToken = "cluster-" + cluster.token();
        String apiToken = "api-" + new StringBuilder(cluster.token()).reverse();
        Files.writeString(dir.resolve("cluster.token"), clusterToken);
        Files.writeString(dir.resolve("api.token"), apiToken);
        int port = ClusterHarness.freePort();
        Path config = dir.resolve("https.toml");
        Files.writeString(
                config,
                "[node]\nid = \"n1\"\nlisten = \"0.0.0.0:" + port + "\"\n[cluster]\ntoken_file = \"cluster.token\"\n"
                        + "[[cluster.nodes]]\nid = \"n1\"\nurl = \"https://127.0.0.1:" + port + "\"\n"
                        + "[http]\napi_token_file = \"api.token\"\n[engine]\ndimensions = "
                        + ClusterHarness.DIMENSIONS + "\n[engine.synthetic]\nspaces = 1\nmemories_per_space = 50\n"
                        + "[tls]\ncert_file = \"" + certificate.certFile() + "\"\nkey_file = \""
                        + certificate.keyFile() + "\"\nca_file = \"" + ca.caFile() + "\"\n");
        Path log = dir.resolve("n1.log");
        Files.deleteIfExists(log);
        HttpClient https = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(PemKeyStores.clientContext(Optional.of(ca.caFile()), Optional.empty(), Optional.empty()))
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        URI base = URI.create("https://127.0.0.1:" + port);
        Process node = ClusterHarness.startJar(dir, List.of("serve", "--config", config.toString()), log);
        try {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions()
                    .until(() -> {
                        assertThat(node.isAlive())
                                .as("node alive; log: %s", ClusterHarness.read(log))
                                .isTrue();
                        return https.send(
                                                HttpRequest.newBuilder(base.resolve("/cluster/health"))
                                                        .timeout(Duration.ofSeconds(2))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    });
            String body = ClusterHarness.recall(2000);
            HttpResponse<String> anonymous = postQuery(https, base, body, Optional.empty());
            HttpResponse<String> wrong = postQuery(https, base, body, Optional.of("Bearer " + clusterToken));
            HttpResponse<String> allowed = postQuery(https, base, body, Optional.of("Bearer " + apiToken));
            String plain = plainHttpExchange(port, body);
            node.destroy();
            assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String logText = ClusterHarness.read(log);

            ReliabilityResults.record(
                    "security: https with an API token on 0.0.0.0",
                    "serve on 0.0.0.0 with [tls], a cluster token and an API token; /v1/query anonymous, with the"
                            + " cluster token, with the API token; plain HTTP to the TLS port",
                    "anonymous " + anonymous.statusCode() + ", cluster token " + wrong.statusCode() + ", API token "
                            + allowed.statusCode() + "; plain HTTP got " + plain.length() + " bytes, no HTTP answer;"
                            + " neither token in the log (" + logText.length() + " chars)",
                    Map.of(
                            "anonymous",
                            anonymous.statusCode(),
                            "cluster_token",
                            wrong.statusCode(),
                            "api_token",
                            allowed.statusCode()));
            assertThat(logText).contains("listening on https://0.0.0.0:" + port);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(anonymous.body()).doesNotContain("matches");
            assertThat(wrong.statusCode())
                    .as("the cluster token is not an API token")
                    .isEqualTo(401);
            assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
            assertThat(allowed.body()).contains("\"matches\"");
            assertThat(plain).doesNotContain("HTTP/1.1 200").doesNotContain("matches");
            for (String text : List.of(logText, anonymous.body(), wrong.body())) {
                assertThat(text).doesNotContain(apiToken).doesNotContain(clusterToken);
            }
        } finally {
            node.destroyForcibly();
        }
    }

    @Test
    void aMutualTlsClusterAnswersAndFailsOverWhenANodeIsKilled() throws Exception {
        Path certs = Path.of("target/reliability/security-mtls-certs").toAbsolutePath();
        TestCertificates ca = TestCertificates.authority(certs, "mtls-ca");
        // One certificate for every node: they all listen on 127.0.0.1, the name peers check.
        TestCertificates.Issued node = ca.issue("mtls-node");
        TestCertificates.Issued client = ca.issue("mtls-client");
        SSLContext context = PemKeyStores.clientContext(
                Optional.of(ca.caFile()), Optional.of(client.certFile()), Optional.of(client.keyFile()));
        try (ClusterHarness tls = ClusterHarness.builder(Path.of("target/reliability/security-mtls"))
                .nodes("n1", "n2", "n3")
                .space("n2", "n3")
                .space("n3", "n2")
                .space("n1")
                .tls(context)
                .set("tls.cert_file", "\"" + node.certFile() + "\"")
                .set("tls.key_file", "\"" + node.keyFile() + "\"")
                .set("tls.ca_file", "\"" + ca.caFile() + "\"")
                .set("tls.client_auth", "\"require\"")
                .start()) {
            String body = ClusterHarness.recall(2000);
            QueryOutcome before = tls.query("n1", body);
            tls.kill("n2");
            QueryOutcome after = tls.query("n1", body);

            ReliabilityResults.record(
                    "security: mutual TLS cluster, kill -9",
                    "3 nodes over https with client_auth = require; query, kill -9 n2 (its spaces have copies on"
                            + " n3), query again",
                    "before: " + before.status() + " " + before.responding() + "/" + before.expected() + "; after: "
                            + after.status() + " " + after.responding() + "/" + after.expected() + " "
                            + after.missing(),
                    Map.of("responding_before", before.responding(), "responding_after", after.responding()));
            assertThat(tls.url("n1").getScheme()).isEqualTo("https");
            assertThat(before.fullCoverage()).as(before.body()).isTrue();
            assertThat(before.expected()).isEqualTo(3);
            assertThat(after.fullCoverage()).as(after.body()).isTrue();
        }
    }

    private record Refusal(int exitCode, String stderr) {}

    /** Runs {@code serve} with {@code toml} (no ENGRAM_ variables) and waits for it to exit. */
    private static Refusal serveExpectingRefusal(Path dir, String toml) throws Exception {
        Files.createDirectories(dir);
        Path config = dir.resolve("node.toml");
        Files.writeString(config, toml);
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
        return new Refusal(
                process.exitValue(), Files.readString(dir.resolve("stderr.txt")).strip());
    }

    private static HttpResponse<String> postQuery(
            HttpClient client, URI base, String body, Optional<String> authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/v1/query"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        authorization.ifPresent(a -> request.header("Authorization", a));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A plain-text HTTP request to {@code port}; whatever comes back until the connection closes. */
    private static String plainHttpExchange(int port, String body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream()
                    .write(("POST /v1/query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: " + body.length() + "\r\n\r\n" + body)
                            .getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                    received.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException | SocketException closedOrSilent) {
                // nothing more came, or the connection was reset
            }
            return received.toString(StandardCharsets.US_ASCII);
        }
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
