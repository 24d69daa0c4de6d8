package io.engram.query.aggregation.merge;

import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import io.engram.query.spi.MergePolicy;
import java.util.List;

/**
 * {@code noisy-or}: partitions that return the same memory are independent evidence for it, so their confidences
 * combine as {@code 1 − Π(1 − cᵢ)} ({@link Confidence#or}); two matches at 0.5 make 0.75. The other fields come from
 * the match that sorts first by {@link MatchOrder#TIE_BREAK}, which ignores confidence so that the merge stays
 * associative.
 *
 * <p>Floating-point {@code or} is associative only up to rounding; the aggregator folds each memory's matches in a
 * canonical order, which makes merged answers bit-identical whatever order partitions answered in.
 *
 * <p>In a spread, a memory's layer combines its in-edges' contributions this way and its activation combines its
 * layers, so a memory reached along several paths is activated more than by its best one (Engram's {@code or}).
 *
 * <p>Base confidence: the combined confidence of the best match of the final answer; {@link Confidence#NONE} when the
 * answer is empty.
 */
public final class NoisyOrMergePolicy implements MergePolicy {
    public static final String NAME = "noisy-or";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Match merge(Match a, Match b) {
        MergeChecks.checkSameMemory(a, b);
        Match representative = MatchOrder.TIE_BREAK.compare(a, b) <= 0 ? a : b;
        return representative.withConfidence(a.confidence().or(b.confidence()));
    }

    /** {@code a + b − ab} ({@link Confidence#or}): in a spread, independent paths into one memory reinforce. */
    @Override
    public double combine(double a, double b) {
        return Confidence.of(a).or(Confidence.of(b)).value();
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
