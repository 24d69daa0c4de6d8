package io.engram.query.api;

/**
 * How a distributed spread ran.
 *
 * @param rounds the rounds scattered, at least 1
 * @param stoppedEarly true when the deadline (or a lost consistency) ended the spread while activation was still
 *     flowing; false when it ran until no frontier was left or the hops were spent
 */
public record SpreadStats(int rounds, boolean stoppedEarly) {
    public SpreadStats {
        if (rounds < 1 || rounds > SpreadQuery.MAX_HOPS + 1) {
            throw new IllegalArgumentException(
                    "rounds must be in [1, " + (SpreadQuery.MAX_HOPS + 1) + "], got " + rounds);
        }
    }
}
