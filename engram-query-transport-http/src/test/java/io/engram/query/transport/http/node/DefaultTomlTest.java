package io.engram.query.transport.http.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.api.NodeId;
import io.engram.query.executor.config.ConfigReader;
import io.engram.query.executor.config.QueryConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checked-in config/default.toml is a valid node configuration whose values are the documented defaults. */
class DefaultTomlTest {
    @Test
    void defaultTomlIsAValidNodeConfigurationOfDefaults() throws Exception {
        Path file = Path.of("..", "config", "default.toml");
        NodeConfig config = NodeConfig.fromToml(Files.readString(file), file.getParent(), Map.of());

        assertThat(config.nodeId()).isEqualTo(NodeId.of("n1"));
        assertThat(config.listen()).isEqualTo("127.0.0.1:7401");
        assertThat(config.replicationFactor()).isEqualTo(1);
        assertThat(config.clusterToken()).isEmpty();
        assertThat(config.membership()).isEqualTo(io.engram.query.planner.membership.MembershipConfig.defaults());
        assertThat(config.dimensions()).isEqualTo(768);
        assertThat(config.dataFile()).isEmpty();
        assertThat(config.synthetic()).isEmpty();
        assertThat(config.maxBodyBytes()).isEqualTo(1 << 20);
        assertThat(config.stopTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.transportSettings())
                .containsEntry("transport.http.h2c", "false")
                .containsEntry("transport.http.format", "smile");
        assertThat(config.query()).isEqualTo(QueryConfig.defaults());
        assertThat(config.tls()).isEmpty();
        assertThat(config.allowInsecure()).isFalse();
        assertThat(config.apiToken()).isEmpty();
    }

    @Test
    void defaultTomlDocumentsEveryKeyANodeReads() throws Exception {
        Path file = Path.of("..", "config", "default.toml");
        String text = Files.readString(file);
        ConfigReader reader = ConfigReader.fromToml(text, file.toString());

        assertThat(NodeConfig.knownKeys()).isNotEmpty().allSatisfy(key -> {
            String last = key.substring(key.lastIndexOf('.') + 1);
            // Tables of nodes and spaces, and [engine.synthetic] (which switches generated data on), are documented
            // commented out.
            boolean documented = reader.has(key)
                    || text.contains("#   [[" + key + "]]")
                    || (key.startsWith("engine.synthetic.") && text.contains("#   " + last + " = "));
            assertThat(documented).as("config/default.toml documents " + key).isTrue();
        });
    }
}
