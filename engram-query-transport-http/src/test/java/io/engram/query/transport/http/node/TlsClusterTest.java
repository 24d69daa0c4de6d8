package io.engram.query.transport.http.node;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.transport.http.tls.PemKeyStores;
import io.engram.query.transport.http.tls.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real nodes on loopback speaking TLS: a cluster answers over HTTPS and fails over to replicas, mutual TLS refuses a
 * peer whose certificate another CA signed, plain HTTP to a TLS port gets no data, the API token guards {@code
 * /v1/query} over HTTPS, and renewed certificates are served without a restart.
 */
class TlsClusterTest {
    private static final SyntheticSpec SPEC = new SyntheticSpec(6, 200, 16, 4, 2, 7L);
    private static final SyntheticDataGenerator DATA = new SyntheticDataGenerator(SPEC);
    private static final List<MemorySpaceId> ALL = DATA.spaces();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    private static TestCertificates ca;
    private static TestCertificates otherCa;
    private static Map<String, TestCertificates.Issued> certificates = new LinkedHashMap<>();
    private static TestCertificates.Issued stranger;

    private final List<EngramNode> nodes = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        ca = TestCertificates.authority(dir.resolve("ca"), "cluster-ca");
        otherCa = TestCertificates.authority(dir.resolve("other-ca"), "other-ca");
        for (String node : List.of("n1", "n2", "n3")) {
            certificates.put(node, ca.issue(node));
        }
        stranger = otherCa.issue("stranger");
    }

    @AfterEach
    void closeNodes() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
    }

    @Test
    void aTlsClusterAnswersOverHttpsAndFailsOverToReplicas() throws Exception {
        Map<String, Integer> ports = ports("n1", "n2", "n3");
        for (String node : ports.keySet()) {
            start(node, ports, certificates.get(node), "replication_factor = 2", "", Map.of());
        }
        EngramNode n1 = nodes.get(0);
        assertThat(n1.url().getScheme()).isEqualTo("https");
        HttpClient client = client(Optional.empty());

        JsonNode before = query(client, n1, Optional.empty());
        assertThat(before.path("coverage").path("responding_partitions").asInt())
                .isEqualTo(6);
        assertThat(before.path("matches")).isNotEmpty();
        // Stop a node holding a space n1 does not, so that some partition goes to a peer and then fails over.
        Set<MemorySpaceId> held = n1.heldSpaces();
        EngramNode victim =
                nodes.get(1).heldSpaces().stream().anyMatch(s -> !held.contains(s)) ? nodes.get(1) : nodes.get(2);
        assertThat(victim.heldSpaces()).anyMatch(s -> !held.contains(s));
        victim.close();

        JsonNode after = query(client, n1, Optional.empty());
        assertThat(after.path("coverage").path("missing_partitions")).isEmpty();
        assertThat(after.path("coverage").path("responding_partitions").asInt()).isEqualTo(6);
        assertThat(after.path("matches")).isEqualTo(before.path("matches"));
    }

    @Test
    void mutualTlsRefusesAPeerWhoseCertificateAnotherCaSigned() throws Exception {
        Map<String, Integer> ports = ports("n1", "n2");
        EngramNode n1 = start("n1", ports, certificates.get("n1"), "", "client_auth = \"require\"\n", Map.of());
        // n2 trusts the cluster's CA, so it accepts n1 as a server, but presents a certificate of another CA.
        EngramNode n2 = start("n2", ports, stranger, "", "client_auth = \"require\"\n", Map.of());
        assertThat(n1.heldSpaces()).isNotEmpty();
        assertThat(n2.heldSpaces()).isNotEmpty();

        HttpClient toN2 = client(otherCa.caFile(), Optional.of(certificates.get("n3")));
        JsonNode fromN2 = query(toN2, n2, Optional.empty());
        assertThat(fromN2.path("coverage").path("missing_partitions"))
                .isNotEmpty()
                .allSatisfy(m -> {
                    assertThat(m.path("node").asText()).isEqualTo("n1");
                    assertThat(m.path("reason").asText()).isEqualTo("unreachable");
                });
        assertThat(fromN2.path("coverage").path("responding_partitions").asInt())
                .isEqualTo(n2.heldSpaces().size());

        assertThatThrownBy(() -> query(client(Optional.of(stranger)), n1, Optional.empty()))
                .as("a client with another CA's certificate")
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> query(client(Optional.empty()), n1, Optional.empty()))
                .as("a client without a certificate")
                .isInstanceOf(IOException.class);
        JsonNode withCertificate = query(client(Optional.of(certificates.get("n3"))), n1, Optional.empty());
        assertThat(withCertificate.path("matches")).isNotEmpty();
    }

    @Test
    void withTlsNodesCallEachOtherOverTcpWithTlsAndItsPortSpeaksNothingElse() throws Exception {
        Map<String, Integer> ports = ports("n1", "n2", "n3");
        for (String node : ports.keySet()) {
            start(node, ports, certificates.get(node), "", "client_auth = \"require\"\n", Map.of());
        }
        EngramNode n1 = nodes.get(0);
        HttpClient client = client(Optional.of(certificates.get("n3")));
        Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            query(client, n1, Optional.empty());
            JsonNode health = health(client, n1);
            for (JsonNode peer : health.get("peers")) {
                if (!peer.get("transport").asText().equals("tcp")) {
                    return false;
                }
            }
            return true;
        });

        JsonNode answer = query(client, n1, Optional.empty());
        assertThat(answer.path("coverage").path("missing_partitions")).isEmpty();
        assertThat(answer.path("coverage").path("responding_partitions").asInt())
                .isEqualTo(6);

        URI tcp =
                URI.create(health(client, nodes.get(1)).at("/transport/listen").asText());
        // plain text to the TLS port: no frame comes back
        assertThat(rawExchange(tcp.getPort(), "EQTP not a TLS record")).isEmpty();
        // TLS without a client certificate, under client_auth = "require": the handshake is refused
        SSLContext noCertificate =
                PemKeyStores.clientContext(Optional.of(ca.caFile()), Optional.empty(), Optional.empty());
        assertThatThrownBy(() -> {
                    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket)
                            noCertificate.getSocketFactory().createSocket("127.0.0.1", tcp.getPort())) {
                        socket.setSoTimeout(5000);
                        socket.startHandshake();
                        socket.getOutputStream().write(1);
                        socket.getOutputStream().flush();
                        if (socket.getInputStream().read() < 0) {
                            throw new IOException("closed by the node");
                        }
                    }
                })
                .isInstanceOf(IOException.class);
        assertThat(query(client, n1, Optional.empty()).path("coverage").path("missing_partitions"))
                .isEmpty();
    }

    private static JsonNode health(HttpClient client, EngramNode node) throws Exception {
        return JSON.readTree(client.send(
                        HttpRequest.newBuilder(node.url().resolve("/cluster/health"))
                                .timeout(WAIT)
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }

    @Test
    void plainHttpToATlsPortGetsNoData() throws Exception {
        EngramNode n1 = start("n1", ports("n1"), certificates.get("n1"), "", "", Map.of());
        String body = recallJson();
        String request = "POST /v1/query HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;

        String answer = rawExchange(n1.port(), request);

        assertThat(answer)
                .doesNotContain("HTTP/1.1 200")
                .doesNotContain("matches")
                .doesNotContain("memory_id");
        assertThat(rawExchange(n1.port(), "GET /cluster/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
                .doesNotContain("HTTP/1.1 200")
                .doesNotContain("n1");
    }

    @Test
    void overHttpsAQueryWithoutTheApiTokenGets401() throws Exception {
        EngramNode n1 = start(
                "n1", ports("n1"), certificates.get("n1"), "", "", Map.of(NodeConfig.API_TOKEN_VARIABLE, "api-t0ken"));
        HttpClient client = client(Optional.empty());

        HttpResponse<String> anonymous = send(client, n1, Optional.empty());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(anonymous.body()).doesNotContain("matches").doesNotContain("api-t0ken");
        assertThat(send(client, n1, Optional.of("Bearer wrong")).statusCode()).isEqualTo(401);
        assertThat(query(client, n1, Optional.of("Bearer api-t0ken")).path("matches"))
                .isNotEmpty();
    }

    @Test
    void renewedCertificatesAreServedWithoutARestart() throws Exception {
        Path cert = dir.resolve("renewing.pem");
        Path key = dir.resolve("renewing-key.pem");
        TestCertificates.Issued first = ca.issue("renewing-1");
        Files.copy(first.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(first.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);
        EngramNode n1 = start(
                "n1", ports("n1"), new TestCertificates.Issued(cert, key), "", "reload_interval_ms = 50\n", Map.of());
        assertThat(servedSubject(n1)).isEqualTo("CN=renewing-1");

        TestCertificates.Issued renewed = ca.issue("renewing-2");
        Files.copy(renewed.certFile(), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(renewed.keyFile(), key, StandardCopyOption.REPLACE_EXISTING);

        Awaitility.await()
                .atMost(WAIT)
                .untilAsserted(() -> assertThat(servedSubject(n1)).isEqualTo("CN=renewing-2"));
    }

    private Map<String, Integer> ports(String... ids) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String id : ids) {
            ports.put(id, LoopbackCluster.freePort());
        }
        return ports;
    }

    private EngramNode start(
            String id,
            Map<String, Integer> ports,
            TestCertificates.Issued certificate,
            String clusterToml,
            String tlsToml,
            Map<String, String> environment) {
        StringBuilder toml = new StringBuilder();
        toml.append("[node]\nid = \"")
                .append(id)
                .append("\"\nlisten = \"127.0.0.1:")
                .append(ports.get(id));
        toml.append("\"\n\n[cluster]\nprobe_interval_ms = 600000\n")
                .append(clusterToml)
                .append("\n");
        ports.forEach((node, port) -> toml.append("[[cluster.nodes]]\nid = \"")
                .append(node)
                .append("\"\nurl = \"https://127.0.0.1:")
                .append(port)
                .append("\"\n"));
        toml.append(NodeConfig.engineToml(SPEC));
        toml.append("[http]\nstop_timeout_ms = 200\n\n[query]\ncompute_threads = 1\n\n");
        toml.append("[tls]\ncert_file = \"")
                .append(certificate.certFile())
                .append("\"\nkey_file = \"")
                .append(certificate.keyFile())
                .append("\"\nca_file = \"")
                .append(ca.caFile())
                .append("\"\n")
                .append(tlsToml);
        EngramNode node = EngramNode.start(NodeConfig.fromToml(toml.toString(), dir, environment));
        nodes.add(node);
        return node;
    }

    /** A JDK client trusting the cluster's CA, presenting {@code certificate} when given. */
    private static HttpClient client(Optional<TestCertificates.Issued> certificate) {
        return client(ca.caFile(), certificate);
    }

    private static HttpClient client(Path trusted, Optional<TestCertificates.Issued> certificate) {
        SSLContext context = PemKeyStores.clientContext(
                Optional.of(trusted),
                certificate.map(TestCertificates.Issued::certFile),
                certificate.map(TestCertificates.Issued::keyFile));
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(context)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    }

    private static String servedSubject(EngramNode node) throws Exception {
        HttpResponse<String> response = client(Optional.empty())
                .send(
                        HttpRequest.newBuilder(node.url().resolve("/cluster/health"))
                                .timeout(WAIT)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        X509Certificate leaf =
                (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
        return leaf.getSubjectX500Principal().getName();
    }

    private static JsonNode query(HttpClient client, EngramNode node, Optional<String> authorization) throws Exception {
        HttpResponse<String> response = send(client, node, authorization);
        assertThat(response.statusCode())
                .as("POST /v1/query: %s", response.body())
                .isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> send(HttpClient client, EngramNode node, Optional<String> authorization)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.url().resolve("/v1/query"))
                .timeout(WAIT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(recallJson()));
        authorization.ifPresent(a -> request.header("Authorization", a));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String recallJson() {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", "recall");
        body.putArray("spaces");
        ArrayNode values = body.putObject("cue").putArray("embedding");
        for (float v : DATA.memories(ALL.get(0)).get(3).embedding().toArray()) {
            values.add(v);
        }
        body.put("limit", 10);
        body.put("timeout_ms", 5000);
        return body.toString();
    }

    /** Sends {@code request} in plain text and returns whatever comes back until the connection closes. */
    private static String rawExchange(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(US_ASCII));
            socket.getOutputStream().flush();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    received.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException closedOrSilent) {
                // the server said nothing more, or reset the connection
            }
            return received.toString(US_ASCII);
        }
    }
}
