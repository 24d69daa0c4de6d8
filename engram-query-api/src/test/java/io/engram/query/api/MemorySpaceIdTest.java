package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MemorySpaceIdTest {
    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "0", "tenant-1", "org.acme:team-a", "A.b-c:d9"})
    void acceptsLettersDigitsAndSeparators(String value) {
        assertThat(MemorySpaceId.of(value).value()).isEqualTo(value);
    }

    @Test
    void acceptsExactlyMaxLength() {
        String value = "s".repeat(MemorySpaceId.MAX_LENGTH);

        assertThat(new MemorySpaceId(value).value()).hasSize(128);
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> new MemorySpaceId(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory space id is null");
    }

    @Test
    void rejectsEmpty() {
        assertThatThrownBy(() -> MemorySpaceId.of(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory space id must not be empty");
    }

    @Test
    void rejectsOneCharacterTooMany() {
        assertThatThrownBy(() -> MemorySpaceId.of("s".repeat(129)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory space id must be at most 128 characters, got 129");
    }

    @Test
    void rejectsLeadingSeparator() {
        assertThatThrownBy(() -> MemorySpaceId.of("-tenant"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory space id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got '-tenant'");
    }

    @Test
    void rejectsSpacesAndSlashes() {
        assertThatThrownBy(() -> MemorySpaceId.of("a b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory space id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got 'a b'");
        assertThatThrownBy(() -> MemorySpaceId.of("../etc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory space id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got '../etc'");
    }

    @Test
    void rendersControlCharactersEscapedInTheMessage() {
        assertThatThrownBy(() -> MemorySpaceId.of("a\nb\u0000c\u007fd\u0085e"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "memory space id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got 'a\\u000ab\\u0000c\\u007fd\\u0085e'");
    }

    @Test
    void rejectsNonAsciiLetters() {
        assertThatThrownBy(() -> MemorySpaceId.of("café"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory space id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got 'café'");
    }

    @Test
    void truncatesALongBadValueInTheMessage() {
        String value = " " + "x".repeat(100);

        assertThatThrownBy(() -> MemorySpaceId.of(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory space id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got ' " + "x".repeat(63) + "...'");
    }

    @Test
    void equalsByValueAndPrintsTheBareValue() {
        assertThat(MemorySpaceId.of("s1")).isEqualTo(new MemorySpaceId("s1")).hasToString("s1");
        assertThat(MemorySpaceId.of("s1")).isNotEqualTo(MemorySpaceId.of("S1"));
    }

    @Test
    void sortsByValue() {
        List<MemorySpaceId> ids =
                new ArrayList<>(List.of(MemorySpaceId.of("b"), MemorySpaceId.of("a10"), MemorySpaceId.of("a2")));

        Collections.sort(ids);

        assertThat(ids).containsExactly(MemorySpaceId.of("a10"), MemorySpaceId.of("a2"), MemorySpaceId.of("b"));
    }
}
