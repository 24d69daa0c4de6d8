package io.engram.query.transport.http.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.NodeId;
import io.engram.query.executor.config.ConfigException;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.planner.membership.MembershipConfig;
import io.engram.query.spi.config.ConfigValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * config/default.toml and the README's configuration table are written from the key definitions
 * ({@link NodeKeys#registry()}): every key with its default and doc, nothing else. After changing a key, write both
 * again with {@code mvn -o test -pl engram-query-transport-http -am -Dtest=DefaultTomlTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dconfig.regenerate=true}.
 */
class DefaultTomlTest {
    private static final Path DEFAULT_TOML = Path.of("..", "config", "default.toml");
    private static final Path README = Path.of("..", "README.md");
    static final String TABLE_START = "<!-- configuration keys: written from NodeKeys by DefaultTomlTest -->\n";
    static final String TABLE_END = "<!-- end of configuration keys -->\n";

    @Test
    void defaultTomlIsWrittenFromTheKeyDefinitions() throws Exception {
        String expected = NodeKeys.registry().toToml(NodeKeys.TOML_HEADER);
        if (Boolean.getBoolean("config.regenerate")) {
            Files.writeString(DEFAULT_TOML, expected);
        }
        assertThat(Files.readString(DEFAULT_TOML))
                .as("config/default.toml against NodeKeys (-Dconfig.regenerate=true writes it)")
                .isEqualTo(expected);
    }

    @Test
    void theReadmeTableIsWrittenFromTheKeyDefinitions() throws Exception {
        String readme = Files.readString(README);
        int start = readme.indexOf(TABLE_START);
        int end = readme.indexOf(TABLE_END);
        assertThat(start)
                .as("README.md has the configuration table's start marker")
                .isNotNegative();
        assertThat(end).as("README.md has the configuration table's end marker").isGreaterThan(start);
        String table = readme.substring(start + TABLE_START.length(), end);
        String expected = "\n" + NodeKeys.registry().markdownTable() + "\n";
        if (Boolean.getBoolean("config.regenerate")) {
            Files.writeString(
                    README, readme.substring(0, start + TABLE_START.length()) + expected + readme.substring(end));
        }
        assertThat(table)
                .as("README.md's table against NodeKeys (-Dconfig.regenerate=true writes it)")
                .isEqualTo(expected);
    }

    @Test
    void everyKeyOfTheRegistryIsInDefaultTomlWithItsDoc() throws Exception {
        String text = Files.readString(DEFAULT_TOML);
        assertThat(NodeKeys.registry().keys()).isNotEmpty().allSatisfy((name, key) -> {
            assertThat(text).as(name + " is shown").containsPattern("(?m)^(#   |# )?" + key.leaf() + " = ");
            assertThat(text.replaceAll("\n#( {3}#)? ", " "))
                    .as(name + "'s doc is shown")
                    .contains(key.doc().substring(0, Math.min(40, key.doc().length())));
        });
        assertThat(NodeKeys.registry().keys())
                .containsKeys(
                        "node.id",
                        "cluster.nodes[].url",
                        "transport.tcp.max_frame_bytes",
                        "transport.http.h2c",
                        "tls.cert_file",
                        "query.max_fanout",
                        "engine.synthetic.seed");
    }

    @Test
    void defaultTomlNeedsOnlyANodeIdToBeAValidNodeConfigurationOfDefaults() throws Exception {
        String text = Files.readString(DEFAULT_TOML);
        assertThatThrownBy(() -> NodeConfig.fromToml(text, DEFAULT_TOML.getParent(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: node.id is required: this node's id (one of [[cluster.nodes]]"
                        + " when nodes are listed)");

        NodeConfig config = NodeConfig.fromToml(
                text.replace("\n# id = \"n1\"\n", "\nid = \"n1\"\n"), DEFAULT_TOML.getParent(), Map.of());

        assertThat(config.nodeId()).isEqualTo(NodeId.of("n1"));
        assertThat(config.listen()).isEqualTo("127.0.0.1:7401");
        assertThat(config.nodes()).containsOnlyKeys(NodeId.of("n1"));
        assertThat(config.transportHost()).isEqualTo("127.0.0.1");
        assertThat(config.transportPort()).isZero();
        assertThat(config.replicationFactor()).isEqualTo(1);
        assertThat(config.clusterToken()).isEmpty();
        assertThat(config.membership()).isEqualTo(MembershipConfig.defaults());
        assertThat(config.dimensions()).isEqualTo(768);
        assertThat(config.dataFile()).isEmpty();
        assertThat(config.synthetic()).isEmpty();
        assertThat(config.maxBodyBytes()).isEqualTo(1 << 20);
        assertThat(config.stopTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.usesTcp()).isTrue();
        assertThat(config.httpTransport())
                .isEqualTo(io.engram.query.transport.http.client.HttpTransportConfig.defaults());
        // every transport setting was read from the file, at its default
        assertThat(NodeKeys.transportKeys())
                .isNotEmpty()
                .allSatisfy(
                        key -> assertThat(config.transportSettings().has(key)).isTrue());
        assertThat(config.transportSettings()).isNotEqualTo(ConfigValues.empty());
        assertThat(config.query()).isEqualTo(QueryConfig.defaults());
        assertThat(config.tls()).isEmpty();
        assertThat(config.allowInsecure()).isFalse();
        assertThat(config.apiToken()).isEmpty();
    }
}
