package io.engram.query.executor.spread;

import io.engram.query.api.MemoryId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The spread starts already run or sent, per memory, as (hops, activation) pairs none of which dominates another. A
 * start is dominated by one of the same memory with fewer or equal hops and at least its activation: with the maximum
 * as combiner it reaches nothing the other does not reach at least as strongly, with at least as many hops left. Used
 * by the coordinator between rounds and by a node continuing crossings inside one request. Not thread-safe.
 */
public final class SentStarts {
    private final Map<MemoryId, List<double[]>> sent = new HashMap<>();

    /** Records the start and returns true when nothing recorded for its memory dominates it; else false. */
    public boolean improves(MemoryId memory, int hops, double activation) {
        List<double[]> known = sent.computeIfAbsent(memory, m -> new ArrayList<>(1));
        for (double[] k : known) {
            if (k[0] <= hops && k[1] >= activation) {
                return false;
            }
        }
        known.removeIf(k -> k[0] >= hops && k[1] <= activation);
        known.add(new double[] {hops, activation});
        return true;
    }
}
