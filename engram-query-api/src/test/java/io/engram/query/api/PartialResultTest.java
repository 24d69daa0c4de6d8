package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartialResultTest {
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final NodeId N1 = NodeId.of("n1");
    private static final Match MATCH = Match.of(MemoryId.of("m1"), S1, Confidence.HIGH, "c");

    @Test
    void copiesTheMatches() {
        List<Match> matches = new ArrayList<>(List.of(MATCH));
        PartialResult result = new PartialResult(S1, N1, matches, 1.0, Duration.ofMillis(3));

        matches.clear();

        assertThat(result.matches()).containsExactly(MATCH);
    }

    @Test
    void withLatencyChangesOnlyTheLatency() {
        PartialResult result = new PartialResult(S1, N1, List.of(MATCH), 0.5, Duration.ofMillis(3));

        assertThat(result.withLatency(Duration.ofMillis(9)))
                .isEqualTo(new PartialResult(S1, N1, List.of(MATCH), 0.5, Duration.ofMillis(9)));
    }

    @Test
    void acceptsAnEmptyAnswerWithZeroLatency() {
        assertThat(new PartialResult(S1, N1, List.of(), 0.0, Duration.ZERO).matches())
                .isEmpty();
    }

    @Test
    void rejectsConfidenceAdjustmentOutOfRange() {
        assertThatThrownBy(() -> new PartialResult(S1, N1, List.of(), 1.01, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidence adjustment must be in [0.0, 1.0], got 1.01");
        assertThatThrownBy(() -> new PartialResult(S1, N1, List.of(), Double.NaN, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidence adjustment must be in [0.0, 1.0], got NaN");
    }

    @Test
    void rejectsNegativeLatency() {
        assertThatThrownBy(() -> new PartialResult(S1, N1, List.of(), 1.0, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("latency must not be negative, got PT-0.001S");
    }

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> new PartialResult(null, N1, List.of(), 1.0, Duration.ZERO))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("space is null");
        assertThatThrownBy(() -> new PartialResult(S1, null, List.of(), 1.0, Duration.ZERO))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("node is null");
        assertThatThrownBy(() -> new PartialResult(S1, N1, null, 1.0, Duration.ZERO))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("matches is null");
        assertThatThrownBy(() -> new PartialResult(S1, N1, List.of(), 1.0, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("latency is null");
    }
}
