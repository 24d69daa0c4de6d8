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
    /** A node id, which every node needs. */
    private static final String ID = "[node]\nid = \"n1\"\n";

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

        assertThatThrownBy(() -> parse(ID + "[cluster]\ntoken_file = \"empty.token\"\n", NO_ENVIRONMENT))
                .hasMessage("invalid configuration: cluster.token_file " + dir.resolve("empty.token") + " is empty");
        assertThatThrownBy(() -> parse(ID + "[cluster]\ntoken_file = \"nope.token\"\n", NO_ENVIRONMENT))
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

    @Test
    void aNodeWithoutAnIdIsRefusedRatherThanCalledN1() {
        assertThatThrownBy(() -> parse("[node]\nlisten = \"127.0.0.1:0\"\n", NO_ENVIRONMENT))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: node.id is required: this node's id (one of [[cluster.nodes]] when"
                        + " nodes are listed)");
        assertThatThrownBy(() -> parse("[node]\nid = \"\"\n", NO_ENVIRONMENT))
                .hasMessage("invalid configuration: node.id must not be empty");
        assertThatThrownBy(() -> parse("", Map.of()))
                .as("an environment variable can give the id, but nothing gives one here")
                .hasMessageContaining("node.id is required");
    }

    @Test
    void aNodeAloneNeedsOnlyItsIdAndItsUrlIsWhereItListens() {
        NodeConfig config = parse("[node]\nid = \"solo\"\nlisten = \"127.0.0.1:7455\"\n", NO_ENVIRONMENT);

        assertThat(config.nodes()).containsExactly(Map.entry(NodeId.of("solo"), URI.create("http://127.0.0.1:7455")));
    }

    @Test
    void aListenPortThatIsNotThePortOfItsOwnClusterEntryIsRefused() {
        String nodes = "[[cluster.nodes]]\nid = \"n1\"\nurl = \"http://127.0.0.1:7401\"\n"
                + "[[cluster.nodes]]\nid = \"n2\"\nurl = \"http://127.0.0.1:7402\"\n";

        assertThatThrownBy(() -> parse("[node]\nid = \"n1\"\nlisten = \"127.0.0.1:7402\"\n" + nodes, NO_ENVIRONMENT))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: node.listen 127.0.0.1:7402 is not where node n1's own cluster.nodes"
                        + " url http://127.0.0.1:7401 points: the ports differ (7402 and 7401)");
        assertThatThrownBy(() -> parse("[node]\nid = \"n1\"\nlisten = \"127.0.0.1:0\"\n" + nodes, NO_ENVIRONMENT))
                .hasMessage("invalid configuration: node.listen 127.0.0.1:0 is not where node n1's own cluster.nodes"
                        + " url http://127.0.0.1:7401 points: the ports differ (0 and 7401); port 0 picks a free port,"
                        + " which peers can not know");
    }

    @Test
    void aListenHostOtherThanItsOwnUrlsIsRefusedUnlessItIsAWildcardOrAName() {
        String nodes = "[[cluster.nodes]]\nid = \"n1\"\nurl = \"http://10.0.0.1:7401\"\n";
        String insecure = "[tls]\nallow_insecure = true\n";
        Map<String, String> tokens = Map.of(NodeConfig.TOKEN_VARIABLE, "s3cret", NodeConfig.API_TOKEN_VARIABLE, "a");

        assertThatThrownBy(() -> parse("[node]\nid = \"n1\"\nlisten = \"10.0.0.2:7401\"\n" + insecure + nodes, tokens))
                .hasMessage("invalid configuration: node.listen 10.0.0.2:7401 is not where node n1's own cluster.nodes"
                        + " url http://10.0.0.1:7401 points: the hosts differ (10.0.0.2 and 10.0.0.1); listen on that"
                        + " address, or on a wildcard such as 0.0.0.0");
        assertThat(parse("[node]\nid = \"n1\"\nlisten = \"0.0.0.0:7401\"\n" + insecure + nodes, tokens)
                        .listen())
                .isEqualTo("0.0.0.0:7401");
        assertThat(NodeConfig.ownEntryProblem(
                        "127.0.0.1:7401", "127.0.0.1", 7401, NodeId.of("n1"), URI.create("http://localhost:7401")))
                .as("localhost and 127.0.0.1 are both loopback")
                .isEmpty();
        assertThat(NodeConfig.ownEntryProblem(
                        "10.0.0.2:7401",
                        "10.0.0.2",
                        7401,
                        NodeId.of("n1"),
                        URI.create("https://node1.example.com:7401")))
                .as("a name is not resolved at start")
                .isEmpty();
    }
}
