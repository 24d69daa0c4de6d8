package io.engram.query.spi;

/**
 * Judges whether an answer covers enough partitions. Consulted as partitions answer or are lost, so a query that can
 * no longer succeed fails at once instead of at its deadline. Implementations must be stateless and thread-safe.
 */
public interface ConsistencyPolicy extends Named {
    /** Whether an answer with this coverage may be returned (called when nothing is pending, or at the deadline). */
    boolean isSatisfied(CoverageProgress progress);

    /** Whether the pending partitions could still make the answer satisfy this policy. */
    boolean canStillSucceed(CoverageProgress progress);
}
