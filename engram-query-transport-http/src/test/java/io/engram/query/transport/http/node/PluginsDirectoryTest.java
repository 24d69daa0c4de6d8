package io.engram.query.transport.http.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.executor.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginsDirectoryTest {
    @TempDir
    Path dir;

    private static final String NODE = """
            [node]
            id = "n1"
            listen = "127.0.0.1:0"
            plugins_directory = "%s"
            [engine]
            dimensions = 4
            [engine.synthetic]
            spaces = 1
            memories_per_space = 10
            clusters = 2
            """;

    @Test
    void aMissingPluginsDirectoryIsAConfigurationError() {
        assertThatThrownBy(() -> NodeConfig.fromToml(NODE.formatted("plugins"), dir, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: node.plugins_directory " + dir.resolve("plugins")
                        + " is not a directory");
    }

    @Test
    void aNodeStartsWithAPluginsDirectoryRelativeToItsConfiguration() throws Exception {
        Files.createDirectories(dir.resolve("plugins"));
        NodeConfig config = NodeConfig.fromToml(NODE.formatted("plugins"), dir, Map.of());
        assertThat(config.pluginsDirectory()).contains(dir.resolve("plugins"));
        try (EngramNode node = EngramNode.start(config)) {
            assertThat(node.heldSpaces()).hasSize(1);
        }
    }
}
