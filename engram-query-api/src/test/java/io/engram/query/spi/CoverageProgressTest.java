package io.engram.query.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CoverageProgressTest {
    @Test
    void pendingIsWhatNeitherRespondedNorWasLost() {
        assertThat(new CoverageProgress(5, 2, 1).pending()).isEqualTo(2);
        assertThat(new CoverageProgress(5, 3, 2).pending()).isZero();
        assertThat(new CoverageProgress(0, 0, 0).pending()).isZero();
    }

    @Test
    void rejectsMoreSettledThanExpected() {
        assertThatThrownBy(() -> new CoverageProgress(3, 2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "coverage progress must have 0 <= responded + lost <= expected, got expected=3, responded=2,"
                                + " lost=2");
    }

    @Test
    void rejectsNegativeCounts() {
        assertThatThrownBy(() -> new CoverageProgress(-1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "coverage progress must have 0 <= responded + lost <= expected, got expected=-1, responded=0,"
                                + " lost=0");
        assertThatThrownBy(() -> new CoverageProgress(3, -1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "coverage progress must have 0 <= responded + lost <= expected, got expected=3, responded=-1,"
                                + " lost=1");
        assertThatThrownBy(() -> new CoverageProgress(3, 1, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "coverage progress must have 0 <= responded + lost <= expected, got expected=3, responded=1,"
                                + " lost=-1");
    }

    @Test
    void rejectsCountsWhoseSumOverflows() {
        assertThatThrownBy(() -> new CoverageProgress(10, Integer.MAX_VALUE, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("coverage progress must have 0 <= responded + lost <= expected, got expected=10,"
                        + " responded=2147483647, lost=1");
    }
}
