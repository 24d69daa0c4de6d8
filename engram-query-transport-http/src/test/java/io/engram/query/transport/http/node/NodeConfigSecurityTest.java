package io.engram.query.transport.http.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.NodeId;
import io.engram.query.executor.config.ConfigException;
import io.engram.query.transport.http.tls.TestCertificates;
import io.engram.query.transport.http.tls.TlsConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Off loopback a node needs TLS (or an explicit allow_insecure), a cluster token and an API token; [tls] rules. */
class NodeConfigSecurityTest {
    /** A node id, which every node needs. */
    private static final String ID = "[node]\nid = \"n1\"\n";

    private static final String PUBLIC = "[node]\nid = \"n1\"\nlisten = \"0.0.0.0:7401\"\n";
    private static final Map<String, String> TOKENS =
            Map.of(NodeConfig.TOKEN_VARIABLE, "cluster-s3cret", NodeConfig.API_TOKEN_VARIABLE, "api-s3cret");

    @TempDir
    static Path dir;

    private static TestCertificates ca;
    private static TestCertificates.Issued node;
    private static String tls;

    @BeforeAll
    static void certificates() throws Exception {
        ca = TestCertificates.authority(dir.resolve("ca"), "test-ca");
        node = ca.issue("n1");
        tls = "[tls]\ncert_file = \"" + node.certFile() + "\"\nkey_file = \"" + node.keyFile() + "\"\nca_file = \""
                + ca.caFile() + "\"\n";
    }

    private static NodeConfig parse(String toml, Map<String, String> environment) {
        return NodeConfig.fromToml(toml, dir, environment);
    }

    @Test
    void aPublicAddressWithTokensButNoTlsIsRefusedNamingTls() {
        assertThatThrownBy(() -> parse(PUBLIC, TOKENS))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: node.listen 0.0.0.0:7401 is not a loopback address: TLS is required"
                        + " (set tls.cert_file and tls.key_file, or tls.allow_insecure = true to serve plain HTTP)");
    }

    @Test
    void aPublicAddressWithoutAnApiTokenIsRefused() {
        assertThatThrownBy(() -> parse(PUBLIC + tls, Map.of(NodeConfig.TOKEN_VARIABLE, "cluster-s3cret")))
                .hasMessage("invalid configuration: node.listen 0.0.0.0:7401 is not a loopback address: an API token is"
                        + " required for /v1/query (set ENGRAM_API_TOKEN or http.api_token_file)");
    }

    @Test
    void aBarePublicAddressGetsEveryMissingSafeguardAtOnce() {
        assertThatThrownBy(() -> parse(PUBLIC, Map.of()))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.problems())
                                .hasSize(3)
                                .anySatisfy(p -> assertThat(p).contains("a cluster token is required"))
                                .anySatisfy(p -> assertThat(p).contains("TLS is required"))
                                .anySatisfy(p -> assertThat(p).contains("an API token is required")));
    }

    @Test
    void allowInsecureServesPlainHttpOffLoopbackExplicitly() {
        NodeConfig config = parse(PUBLIC + "[tls]\nallow_insecure = true\n", TOKENS);

        assertThat(config.tls()).isEmpty();
        assertThat(config.allowInsecure()).isTrue();
        assertThat(config.servesPlainHttpOffLoopback()).isTrue();
        assertThat(config.apiToken()).hasValue("api-s3cret");
    }

    @Test
    void withTlsAndBothTokensAPublicAddressStartsOnHttps() {
        NodeConfig config = parse(PUBLIC + tls, TOKENS);

        assertThat(config.scheme()).isEqualTo("https");
        assertThat(config.nodes()).containsExactly(Map.entry(NodeId.of("n1"), URI.create("https://0.0.0.0:7401")));
        assertThat(config.tls()).hasValueSatisfying(t -> {
            assertThat(t.certFile()).isEqualTo(node.certFile());
            assertThat(t.clientAuth()).isEqualTo(TlsConfig.ClientAuth.NONE);
            assertThat(t.caFile()).contains(ca.caFile());
        });
        assertThat(config.servesPlainHttpOffLoopback()).isFalse();
    }

    @Test
    void theApiTokenFromTheEnvironmentWinsOverTheFile() throws Exception {
        Files.writeString(dir.resolve("api.token"), "from-file\n");
        String toml = ID + "[http]\napi_token_file = \"api.token\"\n";

        assertThat(parse(toml, Map.of()).apiToken()).hasValue("from-file");
        assertThat(parse(toml, Map.of(NodeConfig.API_TOKEN_VARIABLE, "from-env"))
                        .apiToken())
                .hasValue("from-env");
    }

    @Test
    void withTlsEveryNodeUrlIsHttpsAndWithoutItNoneIs() {
        String nodes = "[[cluster.nodes]]\nid = \"n1\"\nurl = \"https://127.0.0.1:7401\"\n"
                + "[[cluster.nodes]]\nid = \"n2\"\nurl = \"http://127.0.0.1:7402\"\n";

        assertThatThrownBy(() -> parse("[node]\nid = \"n1\"\n" + tls + nodes, Map.of()))
                .hasMessage("invalid configuration: cluster.nodes url of n2 must look like https://host:port ([tls] is"
                        + " configured), got 'http://127.0.0.1:7402'");
        assertThatThrownBy(() -> parse("[node]\nid = \"n2\"\nlisten = \"127.0.0.1:7402\"\n" + nodes, Map.of()))
                .hasMessage("invalid configuration: cluster.nodes url of n1 must look like http://host:port (https"
                        + " needs a [tls] section), got 'https://127.0.0.1:7401'");
    }

    @Test
    void mutualTlsNeedsTheCaThatSignsPeers() {
        String toml = ID + "[tls]\ncert_file = \"" + node.certFile() + "\"\nkey_file = \"" + node.keyFile()
                + "\"\nclient_auth = \"require\"\n";

        assertThatThrownBy(() -> parse(toml, Map.of()))
                .hasMessage("invalid configuration: tls.client_auth = \"require\" needs tls.ca_file, the CA whose"
                        + " certificates peers must present");
        assertThat(parse(ID + tls + "client_auth = \"require\"\n", Map.of()).tls())
                .hasValueSatisfying(t -> assertThat(t.clientAuth()).isEqualTo(TlsConfig.ClientAuth.REQUIRE));
    }

    @Test
    void aCertificateWithoutItsKeyOrACaAloneIsAProblem() {
        assertThatThrownBy(() -> parse(ID + "[tls]\ncert_file = \"" + node.certFile() + "\"\n", Map.of()))
                .hasMessage("invalid configuration: tls.cert_file and tls.key_file go together; tls.key_file is not"
                        + " set");
        assertThatThrownBy(() -> parse(ID + "[tls]\nca_file = \"" + ca.caFile() + "\"\n", Map.of()))
                .hasMessage("invalid configuration: tls.ca_file and tls.client_auth take effect only with TLS: set"
                        + " tls.cert_file and tls.key_file");
    }

    @Test
    void unusableFilesAreReportedWithTheirKeys() throws Exception {
        Path rsa = dir.resolve("rsa-key.pem");
        Files.writeString(rsa, TestCertificates.pem("RSA PRIVATE KEY", new byte[] {1, 2, 3}));
        String toml = ID + "[tls]\ncert_file = \"missing.pem\"\nkey_file = \"rsa-key.pem\"\n";

        assertThatThrownBy(() -> parse(toml, Map.of()))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.problems())
                                .containsExactly(
                                        "tls.cert_file " + dir.resolve("missing.pem")
                                                + " can not be read: NoSuchFileException",
                                        "tls.key_file " + rsa + " holds an RSA key in the traditional format (BEGIN"
                                                + " RSA PRIVATE KEY); convert it to PKCS#8: openssl pkcs8 -topk8"
                                                + " -nocrypt -in " + rsa + " -out key.pem"));
    }

    @Test
    void h2cIsHttp2WithoutTlsAndIsRefusedWithTls() {
        assertThatThrownBy(() -> parse(ID + tls + "[transport.http]\nh2c = true\n", Map.of()))
                .hasMessage("invalid configuration: transport.http.h2c is HTTP/2 without TLS; with [tls] nodes speak"
                        + " HTTP/1.1 over TLS, so leave it false");
    }

    @Test
    void loopbackKeepsTheEasyDefaults() {
        NodeConfig config = parse("[node]\nid = \"n1\"\nlisten = \"127.0.0.1:7401\"\n", Map.of());

        assertThat(config.tls()).isEmpty();
        assertThat(config.clusterToken()).isEmpty();
        assertThat(config.apiToken()).isEmpty();
        assertThat(config.scheme()).isEqualTo("http");
        assertThat(config.servesPlainHttpOffLoopback()).isFalse();
    }

    @Test
    void printingAConfigurationNeverPrintsItsTokens() {
        NodeConfig config = NodeConfig.fromToml(
                "[node]\nid = \"n1\"\nlisten = \"127.0.0.1:0\"\n",
                java.nio.file.Path.of("."),
                java.util.Map.of("ENGRAM_CLUSTER_TOKEN", "cluster-secret-123", "ENGRAM_API_TOKEN", "api-secret-456"));

        assertThat(config.clusterToken()).contains("cluster-secret-123");
        assertThat(config.toString())
                .doesNotContain("cluster-secret-123")
                .doesNotContain("api-secret-456")
                .contains("clusterToken=***", "apiToken=***");
    }
}
