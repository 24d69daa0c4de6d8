package io.engram.query.aggregation;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Confidence;

/**
 * Lowers the confidence of an answer that some partitions did not contribute to, instead of failing it:
 * {@code final = base × (1 − λ × (1 − coverage))}. λ = 1 scales by the coverage itself (3 of 4 partitions: × 0.75);
 * λ = 0.5 halves the loss (× 0.875); λ = 0 ignores coverage.
 */
public final class CoveragePenalty {
    private CoveragePenalty() {}

    /**
     * @param base the merge policy's confidence in the merged answer
     * @param coverageRatio the coverage ratio, in [0, 1]
     * @param lambda the penalty {@code query.partial_confidence_penalty}, in [0, 1]
     */
    public static Confidence apply(Confidence base, double coverageRatio, double lambda) {
        requireNonNull(base, "base is null");
        checkPenalty(lambda);
        checkUnit("coverage ratio", coverageRatio);
        return base.scaled(1.0 - lambda * (1.0 - coverageRatio));
    }

    /** Returns {@code lambda} when it is a valid penalty, in [0, 1]; throws naming it otherwise. */
    public static double checkPenalty(double lambda) {
        return checkUnit("partial confidence penalty", lambda);
    }

    private static double checkUnit(String what, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(what + " must be in [0, 1], got " + value);
        }
        return value;
    }
}
