package io.engram.query.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.Confidence;
import org.junit.jupiter.api.Test;

class CoveragePenaltyTest {
    private static final Confidence BASE = Confidence.of(0.8);

    @Test
    void fullPenaltyScalesByCoverage() {
        assertThat(CoveragePenalty.apply(BASE, 0.75, 1.0).value()).isEqualTo(0.8 * 0.75);
    }

    @Test
    void halfPenaltyHalvesTheLoss() {
        assertThat(CoveragePenalty.apply(BASE, 0.75, 0.5).value()).isEqualTo(0.8 * 0.875);
    }

    @Test
    void zeroPenaltyIgnoresCoverage() {
        assertThat(CoveragePenalty.apply(BASE, 0.0, 0.0)).isEqualTo(BASE);
    }

    @Test
    void fullCoverageKeepsTheBase() {
        assertThat(CoveragePenalty.apply(BASE, 1.0, 1.0)).isEqualTo(BASE);
    }

    @Test
    void noCoverageUnderFullPenaltyIsNoConfidence() {
        assertThat(CoveragePenalty.apply(BASE, 0.0, 1.0)).isEqualTo(Confidence.NONE);
    }

    @Test
    void rejectsPenaltyOutsideUnitInterval() {
        assertThatThrownBy(() -> CoveragePenalty.apply(BASE, 0.5, 1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partial confidence penalty must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> CoveragePenalty.apply(BASE, 0.5, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partial confidence penalty must be in [0, 1], got NaN");
    }

    @Test
    void rejectsCoverageOutsideUnitInterval() {
        assertThatThrownBy(() -> CoveragePenalty.apply(BASE, -0.1, 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("coverage ratio must be in [0, 1], got -0.1");
    }

    @Test
    void rejectsNullBase() {
        assertThatThrownBy(() -> CoveragePenalty.apply(null, 1.0, 1.0))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("base is null");
    }
}
