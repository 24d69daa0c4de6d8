package io.engram.query.spi;

import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import java.util.List;

/**
 * Combines what arrives more than once for the same memory id: the matches partitions return for it, and, in a spread,
 * the activations reaching it along several edges and hops. Says how confident the merged answer is. Implementations
 * must be stateless and thread-safe.
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

    /**
     * Combines two activations in [0, 1] of one memory (⊕ in DESIGN.md's spread): the contributions of several
     * in-edges to one layer, and the layers of a memory into its activation. Must be commutative and associative, stay
     * in [0, 1], and have 0 as its identity ({@code combine(a, 0) = a}), so that an engine may leave out a contribution
     * of 0. The default merges two matches of one memory carrying {@code a} and {@code b} as confidence and
     * reads the merged confidence, so a policy that defines only {@link #merge} combines activations the same way.
     */
    default double combine(double a, double b) {
        return merge(carrying(a), carrying(b)).confidence().value();
    }

    /**
     * Whether {@link #combine} is the maximum. Then a spread may run ahead through a node's spaces for every hop left
     * and prune by the {@code limit}-th best activation, both exact only for the maximum (the best walk); otherwise it
     * runs one superstep per hop and combines every contribution before the threshold. False by default.
     */
    default boolean selectsMaximum() {
        return false;
    }

    /** A match of one fixed memory carrying {@code activation}, for {@link #combine}'s default. */
    private static Match carrying(double activation) {
        return Match.of(MemoryId.of("activation"), MemorySpaceId.of("activation"), Confidence.of(activation), "");
    }
}
