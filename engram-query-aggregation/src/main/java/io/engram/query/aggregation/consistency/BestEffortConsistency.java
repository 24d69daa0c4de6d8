package io.engram.query.aggregation.consistency;

import static java.util.Objects.requireNonNull;

import io.engram.query.spi.ConsistencyPolicy;
import io.engram.query.spi.CoverageProgress;

/**
 * {@code best-effort} (the default): return whatever answered by the deadline; missing partitions lower the confidence
 * but never fail the query.
 */
public final class BestEffortConsistency implements ConsistencyPolicy {
    public static final String NAME = "best-effort";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isSatisfied(CoverageProgress progress) {
        requireNonNull(progress, "progress is null");
        return true;
    }

    @Override
    public boolean canStillSucceed(CoverageProgress progress) {
        requireNonNull(progress, "progress is null");
        return true;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
