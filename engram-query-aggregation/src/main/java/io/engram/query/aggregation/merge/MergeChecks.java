package io.engram.query.aggregation.merge;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import java.util.List;

/** What the built-in merge policies share. */
final class MergeChecks {
    private MergeChecks() {}

    static void checkSameMemory(Match a, Match b) {
        requireNonNull(a, "a is null");
        requireNonNull(b, "b is null");
        if (!a.memoryId().equals(b.memoryId())) {
            throw new IllegalArgumentException("only matches of the same memory can be merged, got '" + a.memoryId()
                    + "' and '" + b.memoryId() + "'");
        }
    }

    /** The highest confidence among {@code matches}; NONE when empty. Does not rely on the list being sorted. */
    static Confidence bestConfidence(List<Match> matches) {
        requireNonNull(matches, "matches is null");
        Confidence best = Confidence.NONE;
        for (Match match : matches) {
            if (match.confidence().compareTo(best) > 0) {
                best = match.confidence();
            }
        }
        return best;
    }
}
