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

    @Override
    public Confidence baseConfidence(List<Match> matches) {
        return MergeChecks.bestConfidence(matches);
    }

    @Override
    public String toString() {
        return NAME;
    }
}
