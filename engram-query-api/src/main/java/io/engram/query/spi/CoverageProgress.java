package io.engram.query.spi;

/**
 * How the partitions of a query stand at a moment.
 *
 * @param expected partitions the answer should cover
 * @param responded partitions that answered
 * @param lost partitions definitively missing (no copy left to try, or the deadline passed)
 */
public record CoverageProgress(int expected, int responded, int lost) {
    public CoverageProgress {
        if (expected < 0 || responded < 0 || lost < 0 || (long) responded + lost > expected) {
            throw new IllegalArgumentException("coverage progress must have 0 <= responded + lost <= expected, got "
                    + "expected=" + expected + ", responded=" + responded + ", lost=" + lost);
        }
    }

    /** Partitions still outstanding. */
    public int pending() {
        return expected - responded - lost;
    }
}
