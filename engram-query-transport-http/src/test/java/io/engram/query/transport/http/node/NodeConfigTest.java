package io.engram.query.transport.http.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.NodeId;
import io.engram.query.executor.config.ConfigException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {
    private static final Map<String, String> NO_ENVIRONMENT = Map.of();
    private static final String PUBLIC_LISTEN = "[node]\nid = \"n1\"\nlisten = \"0.0.0.0:7401\"\n";
    /** Off loopback, plain HTTP allowed explicitly and an API token set: only the cluster token is left to decide. */
    private static final String PUBLIC_INSECURE = PUBLIC_LISTEN + "[tls]\nallow_insecure = true\n";

    private static final Map<String, String> API_TOKEN = Map.of(NodeConfig.API_TOKEN_VARIABLE, "api-s3cret");

    @TempDir
    Path dir;

    private NodeConfig parse(String toml, Map<String, String> environment) {
        return NodeConfig.fromToml(toml, dir, environment);
    }

    @Test
    void aNonLoopbackListenAddressWithoutATokenIsRefused() {
        assertThatThrownBy(() -> parse(PUBLIC_INSECURE, API_TOKEN))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: node.listen 0.0.0.0:7401 is not a loopback address: a cluster"
                        + " token is required (set ENGRAM_CLUSTER_TOKEN or cluster.token_file)");
    }

    @Test
    void aLoopbackListenAddressNeedsNoToken() {
        NodeConfig config = parse("[node]\nid = \"n1\"\nlisten = \"localhost:0\"\n", NO_ENVIRONMENT);

        assertThat(config.clusterToken()).isEmpty();
        assertThat(config.host()).isEqualTo("localhost");
        assertThat(config.port()).isZero();
        assertThat(config.nodes()).containsExactly(Map.entry(NodeId.of("n1"), URI.create("http://localhost:0")));
    }

    @Test
    void theTokenComesFromTheEnvironment() {
        NodeConfig config =
                parse(PUBLIC_INSECURE, Map.of(NodeConfig.TOKEN_VARIABLE, "s3cret", NodeConfig.API_TOKEN_VARIABLE, "a"));

        assertThat(config.clusterToken()).hasValue("s3cret");
        assertThat(config.listen()).isEqualTo("0.0.0.0:7401");
    }

    @Test
    void theTokenComesFromATokenFileRelativeToTheConfiguration() throws Exception {
        Files.writeString(dir.resolve("cluster.token"), "  from-file\n");
        String toml = PUBLIC_INSECURE + "[cluster]\ntoken_file = \"cluster.token\"\n";

        assertThat(parse(toml, API_TOKEN).clusterToken()).hasValue("from-file");
        assertThat(parse(toml, Map.of(NodeConfig.TOKEN_VARIABLE, "from-env", NodeConfig.API_TOKEN_VARIABLE, "a"))
                        .clusterToken())
                .as("the environment wins over the file")
                .hasValue("from-env");
    }

    @Test
    void anEmptyOrMissingTokenFileIsAProblem() throws Exception {
        Files.writeString(dir.resolve("empty.token"), "  \n");

        assertThatThrownBy(() -> parse("[cluster]\ntoken_file = \"empty.token\"\n", NO_ENVIRONMENT))
                .hasMessage("invalid configuration: cluster.token_file " + dir.resolve("empty.token") + " is empty");
        assertThatThrownBy(() -> parse("[cluster]\ntoken_file = \"nope.token\"\n", NO_ENVIRONMENT))
                .hasMessage("invalid configuration: cluster.token_file " + dir.resolve("nope.token")
                        + " can not be read: NoSuchFileException");
    }

    @Test
    void unknownKeysGetTheNearestKnownKey() {
        String toml = "[node]\nid = \"n1\"\n[query]\nmax_fanotu = 3\n"
                + "[[cluster.nodes]]\nid = \"n1\"\nurl = \"http://127.0.0.1:7401\"\n"
                + "[[cluster.nodes]]\nid = \"n2\"\nurl = \"http://127.0.0.1:7402\"\nur = \"x\"\n";

        assertThatThrownBy(() -> parse(toml, NO_ENVIRONMENT))
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.problems())
                                .containsExactly(
                                        "unknown key query.max_fanotu (from configuration); did you mean query.max_fanout?",
                                        "unknown key cluster.nodes[1].ur (from configuration); did you mean cluster.nodes[].url?"));
    }

    @Test
    void everyProblemIsReportedTogether() {
        String toml = "[node]\nid = \"n1\"\nlisten = \"127.0.0.1:70000\"\n"
                + "[cluster]\nreplication_factor = 3\n"
                + "[engin]\ndimensions = 3\n";

        assertThatThrownBy(() -> parse(toml, NO_ENVIRONMENT))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration (3 problems):\n"
                        + "  - node.listen port must be in [0, 65535], got 70000\n"
                        + "  - cluster.replication_factor (3) must not exceed the number of nodes (1)\n"
                        + "  - unknown key engin.dimensions (from configuration); did you mean engine.dimensions?");
    }

    @Test
    void clusterNodesKeepTheFilesOrder() {
        StringBuilder toml = new StringBuilder("[node]\nid = \"n1\"\n");
        for (String id : new String[] {"n1", "n9", "n3", "n7", "n5", "n2"}) {
            toml.append("[[cluster.nodes]]\nid = \"").append(id).append("\"\nurl = \"http://127.0.0.1:7401\"\n");
        }

        NodeConfig config = parse(toml.toString(), NO_ENVIRONMENT);

        assertThat(config.nodes().keySet())
                .extracting(NodeId::value)
                .containsExactly("n1", "n9", "n3", "n7", "n5", "n2");
    }
}
