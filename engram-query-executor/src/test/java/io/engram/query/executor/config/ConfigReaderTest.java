package io.engram.query.executor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.spi.config.ConfigKey;
import io.engram.query.spi.config.ValueType;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {
    @Test
    void unknownKeyInATableOfAnArrayNamesItsOriginAndTheNearestSibling() {
        ConfigReader reader = ConfigReader.fromToml("""
                [[cluster.nodes]]
                id = "n1"
                urll = "http://127.0.0.1:1"
                [[cluster.nodes]]
                id = "n2"
                weight = 3
                """, "node.toml");
        for (ConfigReader node : reader.tables("cluster.nodes")) {
            node.find(ConfigKey.withoutDefault("cluster.nodes[].id", ValueType.string(), "id"));
            node.find(ConfigKey.withoutDefault("cluster.nodes[].url", ValueType.string(), "url"));
        }
        assertThatThrownBy(reader::finish).isInstanceOf(ConfigException.class).hasMessage("""
                        invalid configuration (2 problems):
                          - unknown key cluster.nodes[0].urll (from node.toml); did you mean cluster.nodes[].url?
                          - unknown key cluster.nodes[1].weight (from node.toml)""");
    }

    @Test
    void listsAcceptArraysAndCommaSeparatedOverrides() {
        ConfigReader reader = ConfigReader.fromToml("[engine]\nspaces = [\"s1\", \"s2\"]\n", "f")
                .withOverrides(java.util.Map.of("engram.engine.other", "a, b,,c"), java.util.Map.of());
        assertThat(reader.get(ConfigKey.of("engine.spaces", ValueType.stringList(), List.of(), "spaces")))
                .containsExactly("s1", "s2");
        assertThat(reader.get(ConfigKey.of("engine.other", ValueType.stringList(), List.of(), "other")))
                .containsExactly("a", "b", "c");
        reader.finish();
    }
}
