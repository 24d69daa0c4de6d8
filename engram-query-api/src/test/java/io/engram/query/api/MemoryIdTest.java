package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryIdTest {
    @Test
    void acceptsIdsUpToMaxLength() {
        assertThat(MemoryId.of("m-42").value()).isEqualTo("m-42");
        assertThat(MemoryId.of("m".repeat(MemoryId.MAX_LENGTH)).value()).hasSize(256);
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> new MemoryId(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory id is null");
    }

    @Test
    void rejectsEmpty() {
        assertThatThrownBy(() -> MemoryId.of(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory id must not be empty");
    }

    @Test
    void rejectsOneCharacterTooMany() {
        assertThatThrownBy(() -> MemoryId.of("m".repeat(257)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory id must be at most 256 characters, got 257");
    }

    @Test
    void rejectsBadCharactersWithControlCharactersEscaped() {
        assertThatThrownBy(() -> MemoryId.of("m\r\n1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got 'm\\u000d\\u000a1'");
        assertThatThrownBy(() -> MemoryId.of("_m1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got '_m1'");
    }

    @Test
    void equalsSortsAndPrintsByValue() {
        assertThat(MemoryId.of("m1")).isEqualTo(new MemoryId("m1")).hasToString("m1");
        assertThat(MemoryId.of("m1").compareTo(MemoryId.of("m2"))).isNegative();
    }
}
