package io.engram.query.transport.http.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.transport.http.node.EngramNode;
import io.engram.query.transport.http.node.NodeConfig;
import io.engram.query.transport.http.tls.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code query} and {@code stats} against an HTTPS node that requires an API token. */
class TlsCliTest {
    private static final String TOKEN = "cli-t0ken";

    @TempDir
    static Path dir;

    private static EngramNode node;
    private static TestCertificates ca;
    private static Path query;
    private static Path tokenFile;

    @BeforeAll
    static void startNode() throws Exception {
        ca = TestCertificates.authority(dir.resolve("ca"), "cli-ca");
        TestCertificates.Issued certificate = ca.issue("n1");
        node = EngramNode.start(NodeConfig.fromToml(
                "[node]\nid = \"n1\"\nlisten = \"127.0.0.1:0\"\n[engine]\ndimensions = 8\n[engine.synthetic]\n"
                        + "spaces = 2\nmemories_per_space = 50\nclusters = 2\n[tls]\ncert_file = \""
                        + certificate.certFile() + "\"\nkey_file = \"" + certificate.keyFile() + "\"\n",
                dir,
                Map.of(NodeConfig.API_TOKEN_VARIABLE, TOKEN)));
        query = dir.resolve("q.json");
        Files.writeString(query, "{\"type\":\"recall\",\"spaces\":[],\"cue\":{\"content\":\"memory\"},\"limit\":3}");
        tokenFile = dir.resolve("api.token");
        Files.writeString(tokenFile, TOKEN + "\n");
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @Test
    void queryOverHttpsWithTheCaAndTheTokenSucceeds() {
        CliRun run = CliRun.of(
                "query",
                "--node",
                node.url().toString(),
                "--ca-file",
                ca.caFile().toString(),
                "--token-file",
                tokenFile.toString(),
                "--file",
                query.toString());

        assertThat(node.url().getScheme()).isEqualTo("https");
        assertThat(run.err()).isEmpty();
        assertThat(run.code()).isEqualTo(0);
        assertThat(run.out()).contains("\"matches\"").doesNotContain(TOKEN);
    }

    @Test
    void withoutTheTokenTheNodeAnswers401() {
        CliRun run = CliRun.of(
                "query",
                "--node",
                node.url().toString(),
                "--ca-file",
                ca.caFile().toString(),
                "--file",
                query.toString());

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("engram-query: 401 Unauthorized: missing bearer token");
    }

    @Test
    void withoutTheCaTheHandshakeFailsAndSaysWhatToPass() {
        CliRun run = CliRun.of("stats", "--node", node.url().toString());

        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err())
                .startsWith("engram-query: TLS handshake with " + node.url() + " failed: ")
                .contains("--ca-file names the CA that signed the node's certificate");
        assertThat(run.err().lines()).hasSize(1);
    }

    @Test
    void statsOverHttpsWithTheCa() {
        CliRun run = CliRun.of(
                "stats",
                "--node",
                node.url().toString(),
                "--ca-file",
                ca.caFile().toString());

        assertThat(run.code()).isEqualTo(0);
        assertThat(run.out()).contains("node n1: ok");
    }
}
