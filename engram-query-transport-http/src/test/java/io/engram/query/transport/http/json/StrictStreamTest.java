package io.engram.query.transport.http.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StrictStreamTest {
    @Test
    void marksEachKnownFieldOnceAndRejectsTheSecondWithItsPath() {
        int seen = StrictStream.mark(0, 0, "matches", 2, "memory_id");
        seen = StrictStream.mark(seen, 7, "matches", 2, "embedding");

        assertThat(seen).isEqualTo(0b1000_0001);
        int all = seen;
        assertThatThrownBy(() -> StrictStream.mark(all, 7, "matches", 2, "embedding"))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("duplicate field 'matches[2].embedding'");
        assertThatThrownBy(() -> StrictStream.mark(all, 0, "", -1, "space"))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("duplicate field 'space'");
    }
}
