package io.engram.query.aggregation.merge;

import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import io.engram.query.spi.MergePolicy;
import java.util.List;

/**
 * {@code max}: of the matches partitions return for one memory, keep the one with the highest confidence. Ties are
 * broken by {@link MatchOrder#TIE_BREAK} (space, content, similarity, …), so the kept match does not depend on the
 * order partitions answered in.
 *
 * <p>In a spread, the activation of a memory is its best walk from a seed ({@link #combine} is the maximum).
 *
 * <p>Base confidence: the confidence of the best match of the final answer; {@link Confidence#NONE} when the answer is
 * empty.
 */
public final class MaxMergePolicy implements MergePolicy {
    public static final String NAME = "max";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Match merge(Match a, Match b) {
        MergeChecks.checkSameMemory(a, b);
        return MatchOrder.BEST_FIRST.compare(a, b) <= 0 ? a : b;
    }

    /** The larger activation: a spread's activation is its best walk, and spreads may run ahead and prune. */
    @Override
    public double combine(double a, double b) {
        return Math.max(a, b);
    }

    @Override
    public boolean selectsMaximum() {
        return true;
    }

    @Override
    public Confidence baseConfidence(List<Match> matches) {
        return MergeChecks.bestConfidence(matches);
    }

    @Override
    public String toString() {
        return NAME;
    }
}
