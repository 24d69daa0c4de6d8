package io.engram.query.spi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigKeyTest {
    private static final ConfigKey<Integer> FANOUT =
            ConfigKey.of("query.max_fanout", ValueType.integer(1, 10_000), 64, "Requests in flight.");

    @Test
    void aValueOutOfRangeIsRefusedNamingTheKeyAndTheRange() {
        assertThat(FANOUT.check(16)).isEqualTo(16);
        assertThatThrownBy(() -> FANOUT.check(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("query.max_fanout must be in [1, 10000], got 0");
    }

    @Test
    void rawValuesAreReadFromTomlValuesAndFromOverrideText() {
        assertThat(FANOUT.type().parse(12L)).isEqualTo(12);
        assertThat(FANOUT.type().parse(" 12 ")).isEqualTo(12);
        assertThatThrownBy(() -> FANOUT.type().parse("twelve")).hasMessage("must be an integer, got 'twelve'");
        assertThatThrownBy(() -> FANOUT.type().parse(true)).hasMessage("must be an integer, got true");
        assertThat(ValueType.millis(1, 10).parse("7")).isEqualTo(Duration.ofMillis(7));
        assertThat(ValueType.bool().parse("TRUE")).isTrue();
        assertThat(ValueType.stringList().parse("a, b,,c")).containsExactly("a", "b", "c");
        assertThatThrownBy(() -> ValueType.choice(List.of("tcp", "http")).parse("udp"))
                .hasMessage("must be one of tcp, http, got 'udp'");
        assertThatThrownBy(() -> ValueType.decimal(0.0, 1.0).parse(1.5)).hasMessage("must be in [0.0, 1.0], got 1.5");
    }

    @Test
    void aDefaultOutsideItsOwnRangeOrAKeyWithoutDocCanNotBeDefined() {
        assertThatThrownBy(() -> ConfigKey.of("a.b", ValueType.integer(1, 2), 3, "doc"))
                .hasMessage("default of a.b must be in [1, 2], got 3");
        assertThatThrownBy(() -> ConfigKey.of("a.b", ValueType.integer(1, 2), 1, " "))
                .hasMessage("config key a.b needs a doc string");
        assertThatThrownBy(() -> ConfigKey.of("A.b", ValueType.integer(1, 2), 1, "doc"))
                .hasMessage("config key name must be dotted lower-case words, got 'A.b'");
        assertThat(ConfigKey.withoutDefault("cluster.nodes[].id", ValueType.string(), "doc")
                        .leaf())
                .isEqualTo("id");
    }

    @Test
    void valuesAreWrittenAsToml() {
        assertThat(ValueType.string().toToml("a\"b")).isEqualTo("\"a\\\"b\"");
        assertThat(ValueType.stringList().toToml(List.of("s1", "s2"))).isEqualTo("[\"s1\", \"s2\"]");
        assertThat(ValueType.millis(0, 10_000).toToml(Duration.ofSeconds(2))).isEqualTo("2000");
        assertThat(ValueType.decimal(0, 1).toToml(1.0)).isEqualTo("1.0");
    }
}
