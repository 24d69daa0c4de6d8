package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfidenceTest {
    @ParameterizedTest
    @ValueSource(doubles = {0.0, 1e-300, 0.5, 0.999999, 1.0})
    void acceptsEveryValueInTheClosedUnitInterval(double value) {
        assertThat(Confidence.of(value).value()).isEqualTo(value);
    }

    @Test
    void rejectsValuesBelowZero() {
        assertThatThrownBy(() -> Confidence.of(-0.1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidence must be in [0, 1], got -0.1");
    }

    @Test
    void rejectsValuesAboveOne() {
        assertThatThrownBy(() -> new Confidence(1.0000001))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidence must be in [0, 1], got 1.0000001");
    }

    @Test
    void rejectsNaN() {
        assertThatThrownBy(() -> Confidence.of(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidence must be in [0, 1], got NaN");
    }

    @Test
    void rejectsInfinities() {
        assertThatThrownBy(() -> Confidence.of(Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidence must be in [0, 1], got Infinity");
        assertThatThrownBy(() -> Confidence.of(Double.NEGATIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidence must be in [0, 1], got -Infinity");
    }

    @Test
    void negativeZeroIsTheSameAsNone() {
        Confidence negativeZero = Confidence.of(-0.0);

        assertThat(negativeZero).isEqualTo(Confidence.NONE).hasToString("0.0");
        assertThat(negativeZero.compareTo(Confidence.NONE)).isZero();
    }

    @Test
    void clippedBringsFiniteAndInfiniteValuesIntoRange() {
        assertThat(Confidence.clipped(-3.0)).isEqualTo(Confidence.NONE);
        assertThat(Confidence.clipped(0.25)).isEqualTo(Confidence.of(0.25));
        assertThat(Confidence.clipped(7.0)).isEqualTo(Confidence.CERTAIN);
        assertThat(Confidence.clipped(Double.POSITIVE_INFINITY)).isEqualTo(Confidence.CERTAIN);
        assertThat(Confidence.clipped(Double.NEGATIVE_INFINITY)).isEqualTo(Confidence.NONE);
    }

    @Test
    void clippedRejectsNaN() {
        assertThatThrownBy(() -> Confidence.clipped(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidence must be a number in [0, 1], got NaN");
    }

    @Test
    void andMultipliesIndependentBeliefs() {
        assertThat(Confidence.of(0.5).and(Confidence.of(0.5))).isEqualTo(Confidence.of(0.25));
        assertThat(Confidence.HIGH.and(Confidence.CERTAIN)).isEqualTo(Confidence.HIGH);
        assertThat(Confidence.HIGH.and(Confidence.NONE)).isEqualTo(Confidence.NONE);
    }

    @Test
    void orCombinesIndependentBeliefs() {
        assertThat(Confidence.of(0.5).or(Confidence.of(0.5))).isEqualTo(Confidence.of(0.75));
        assertThat(Confidence.NONE.or(Confidence.HIGH)).isEqualTo(Confidence.HIGH);
        assertThat(Confidence.CERTAIN.or(Confidence.LOW)).isEqualTo(Confidence.CERTAIN);
        assertThat(Confidence.of(0.2).or(Confidence.of(0.3)).value()).isCloseTo(0.44, within(1e-12));
    }

    @Test
    void orOfValuesCloseToOneStaysInRange() {
        Confidence almost = Confidence.of(Math.nextDown(1.0));

        assertThat(almost.or(almost).value()).isBetween(0.0, 1.0);
    }

    @Test
    void notIsTheComplement() {
        assertThat(Confidence.of(0.25).not()).isEqualTo(Confidence.of(0.75));
        assertThat(Confidence.CERTAIN.not()).isEqualTo(Confidence.NONE);
        assertThat(Confidence.NONE.not()).isEqualTo(Confidence.CERTAIN);
    }

    @Test
    void scaledMultipliesByAFactorInTheUnitInterval() {
        assertThat(Confidence.of(0.8).scaled(0.5)).isEqualTo(Confidence.of(0.4));
        assertThat(Confidence.HIGH.scaled(1.0)).isEqualTo(Confidence.HIGH);
        assertThat(Confidence.HIGH.scaled(0.0)).isEqualTo(Confidence.NONE);
    }

    @Test
    void scaledRejectsAFactorOutOfRange() {
        assertThatThrownBy(() -> Confidence.HIGH.scaled(1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidence scale factor must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> Confidence.HIGH.scaled(-0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidence scale factor must be in [0, 1], got -0.5");
        assertThatThrownBy(() -> Confidence.HIGH.scaled(Double.NaN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidence scale factor must be in [0, 1], got NaN");
    }

    @Test
    void namedLevelsHaveTheirDocumentedValues() {
        assertThat(Confidence.NONE.value()).isEqualTo(0.0);
        assertThat(Confidence.LOW.value()).isEqualTo(0.1);
        assertThat(Confidence.MEDIUM.value()).isEqualTo(0.5);
        assertThat(Confidence.HIGH.value()).isEqualTo(0.9);
        assertThat(Confidence.CERTAIN.value()).isEqualTo(1.0);
    }

    @Test
    void comparesAndPrintsByValue() {
        assertThat(Confidence.LOW).isLessThan(Confidence.HIGH);
        assertThat(Confidence.of(0.75)).hasToString("0.75");
    }
}
