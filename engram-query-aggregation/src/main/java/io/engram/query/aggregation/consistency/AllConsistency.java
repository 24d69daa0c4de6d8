package io.engram.query.aggregation.consistency;

import static java.util.Objects.requireNonNull;

import io.engram.query.spi.ConsistencyPolicy;
import io.engram.query.spi.CoverageProgress;

/**
 * {@code all} (strict consistency): every expected partition must answer. Fails on the first partition that is
 * definitively lost, without waiting for the others.
 */
public final class AllConsistency implements ConsistencyPolicy {
    public static final String NAME = "all";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isSatisfied(CoverageProgress progress) {
        requireNonNull(progress, "progress is null");
        return progress.responded() == progress.expected();
    }

    @Override
    public boolean canStillSucceed(CoverageProgress progress) {
        requireNonNull(progress, "progress is null");
        return progress.lost() == 0;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
