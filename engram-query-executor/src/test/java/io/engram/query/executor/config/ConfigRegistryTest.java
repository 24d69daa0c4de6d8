package io.engram.query.executor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.spi.config.ConfigKey;
import io.engram.query.spi.config.ValueType;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigRegistryTest {
    private static final ConfigKey<Integer> SIZE =
            ConfigKey.of("pool.size", ValueType.integer(1, 8), 4, "Threads of the pool.");
    private static final ConfigKey<String> ID = ConfigKey.withoutDefault("pool.id", ValueType.string(), "Its id.");
    private static final ConfigKey<String> PEER_URL =
            ConfigKey.withoutDefault("pool.peers[].url", ValueType.string(), "Where a peer listens.");

    @Test
    void aKeyDefinedTwiceIsRefused() {
        assertThatThrownBy(() -> ConfigRegistry.of(
                        List.of(ConfigSection.table("pool", "", SIZE), ConfigSection.table("pool2", "", SIZE))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key pool.size does not belong to section [pool2] (pool2.*)");
        assertThatThrownBy(() -> ConfigRegistry.of(
                        List.of(ConfigSection.table("pool", "", SIZE), ConfigSection.table("pool", "", SIZE))))
                .hasMessage("config section [pool] is already registered");
    }

    @Test
    void aKeyWithoutDefaultNeedsAnExampleToBeDocumented() {
        assertThatThrownBy(() -> ConfigRegistry.of(List.of(ConfigSection.table("pool", "", ID))))
                .hasMessage("key pool.id has no default: give an example value");
    }

    @Test
    void tomlShowsEveryKeyWithItsDocAndDefaultAndCommentsOutArraysOfTables() {
        ConfigRegistry registry = ConfigRegistry.of(List.of(
                ConfigSection.table("pool", "The pool.", SIZE, ID).withExample(ID, "\"p1\""),
                ConfigSection.arrayOfTables("pool.peers", "One table per peer.", PEER_URL)
                        .withExample(PEER_URL, "\"http://h:1\"")));

        assertThat(registry.toToml("Header.")).isEqualTo("""
                # Header.

                [pool]
                # The pool.
                # Threads of the pool.
                size = 4
                # Its id.
                # id = "p1"

                # One table per peer.
                #   [[pool.peers]]
                #   # Where a peer listens.
                #   url = "http://h:1"
                """);
        assertThat(registry.markdownTable()).isEqualTo("""
                | Key | Type | Default | Meaning |
                |---|---|---|---|
                | `pool.size` | integer in [1, 8] | `4` | Threads of the pool. |
                | `pool.id` | string | none | Its id. |
                | `pool.peers[].url` | string | none | Where a peer listens. |
                """);
    }

    @Test
    void theReaderReadsKeysTypedAndReportsWhatIsAllowed() {
        ConfigReader reader = ConfigReader.fromToml("[pool]\nsize = 9\n", "f.toml")
                .withOverrides(java.util.Map.of(), java.util.Map.of("ENGRAM_POOL_ID", "p7"));
        assertThat(reader.get(SIZE)).isEqualTo(4);
        assertThat(reader.find(ID)).contains("p7");
        assertThatThrownBy(reader::finish)
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: pool.size (from f.toml) must be in [1, 8], got 9");
    }
}
