package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NodeIdTest {
    @Test
    void acceptsHostLikeNamesUpToMaxLength() {
        assertThat(NodeId.of("node-1.dc2:8080").value()).isEqualTo("node-1.dc2:8080");
        assertThat(NodeId.of("n".repeat(NodeId.MAX_LENGTH)).value()).hasSize(64);
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> new NodeId(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node id is null");
    }

    @Test
    void rejectsEmpty() {
        assertThatThrownBy(() -> NodeId.of(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node id must not be empty");
    }

    @Test
    void rejectsOneCharacterTooMany() {
        assertThatThrownBy(() -> NodeId.of("n".repeat(65)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node id must be at most 64 characters, got 65");
    }

    @Test
    void rejectsBadCharactersWithControlCharactersEscaped() {
        assertThatThrownBy(() -> NodeId.of("node\t1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got 'node\\u00091'");
        assertThatThrownBy(() -> NodeId.of("node/1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("node id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got 'node/1'");
    }

    @Test
    void equalsSortsAndPrintsByValue() {
        assertThat(NodeId.of("n1")).isEqualTo(new NodeId("n1")).hasToString("n1");
        assertThat(NodeId.of("n1")).isLessThan(NodeId.of("n2"));
    }
}
