package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
    @ParameterizedTest
    @ValueSource(strings = {"max", "best-effort", "quorum", "a", "p99-hedge2"})
    void acceptsLowerCaseNamesWithDigitsAndDashes(String name) {
        assertThat(Names.check("merge policy", name)).isEqualTo(name);
    }

    @Test
    void acceptsExactlyMaxLength() {
        String name = "n".repeat(Names.MAX_LENGTH);

        assertThat(Names.check("merge policy", name)).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Max", "2nd", "-max", "best_effort", "best effort", "max!"})
    void rejectsNamesNotMatchingThePattern(String name) {
        assertThatThrownBy(() -> Names.check("merge policy", name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("merge policy name must match [a-z][a-z0-9-]* (at most 64 characters), got '" + name + "'");
    }

    @Test
    void rejectsOneCharacterTooMany() {
        assertThatThrownBy(() -> Names.check("merge policy", "n".repeat(65)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("merge policy name must match [a-z][a-z0-9-]* (at most 64 characters), got '"
                        + "n".repeat(64) + "...'");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> Names.check("transport", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("transport name is null");
    }

    @Test
    void escapesControlCharacters() {
        assertThatThrownBy(() -> Names.check("transport", "http\u001b[31m"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("transport name must match [a-z][a-z0-9-]* (at most 64 characters), got 'http\\u001b[31m'");
    }
}
