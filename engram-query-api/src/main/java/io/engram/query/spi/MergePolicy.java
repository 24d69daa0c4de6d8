package io.engram.query.spi;

import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import java.util.List;

/**
 * Combines the matches partitions return for the same memory id, and says how confident the merged answer is.
 * Implementations must be stateless and thread-safe.
 */
public interface MergePolicy extends Named {
    /**
     * Combines two matches of the same memory id into one. Must be commutative and associative, so that the merged
     * answer does not depend on the order partitions answer in.
     */
    Match merge(Match a, Match b);

    /**
     * The confidence of the merged answer before any coverage penalty ({@code base} in {@code final = base × (1 − λ ×
     * (1 − coverage))}). {@code matches} is the final answer, best first, possibly empty. Document what it means.
     */
    Confidence baseConfidence(List<Match> matches);
}
