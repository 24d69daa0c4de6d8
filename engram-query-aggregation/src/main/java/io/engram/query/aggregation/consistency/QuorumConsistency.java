package io.engram.query.aggregation.consistency;

import static java.util.Objects.requireNonNull;

import io.engram.query.spi.ConsistencyPolicy;
import io.engram.query.spi.CoverageProgress;

/**
 * {@code quorum}: more than half of the expected partitions must answer (3 of 5, 3 of 4, 1 of 1). Fails as soon as
 * the answered and pending partitions together can no longer make a majority. A query that expects no partition is
 * trivially satisfied.
 */
public final class QuorumConsistency implements ConsistencyPolicy {
    public static final String NAME = "quorum";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isSatisfied(CoverageProgress progress) {
        requireNonNull(progress, "progress is null");
        return isMajority(progress.responded(), progress.expected());
    }

    @Override
    public boolean canStillSucceed(CoverageProgress progress) {
        requireNonNull(progress, "progress is null");
        return isMajority(progress.responded() + progress.pending(), progress.expected());
    }

    private static boolean isMajority(int count, int expected) {
        // long: 2 × count must not overflow for any int count
        return expected == 0 || 2L * count > expected;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
