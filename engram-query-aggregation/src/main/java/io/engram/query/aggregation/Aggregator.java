package io.engram.query.aggregation;

import static java.util.Objects.requireNonNull;

import io.engram.query.aggregation.merge.MatchOrder;
import io.engram.query.api.Confidence;
import io.engram.query.api.ConsistencyException;
import io.engram.query.api.Coverage;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.PartialResult;
import io.engram.query.api.QueryOptions;
import io.engram.query.spi.ConsistencyPolicy;
import io.engram.query.spi.CoverageProgress;
import io.engram.query.spi.MergePolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Gathers the partial results of one query's partitions as they arrive, from any thread, and merges them into one
 * answer by memory id under a {@link MergePolicy}.
 *
 * <p>Every expected space is accounted for once: the first answer or loss wins, and later ones for the same space (a
 * hedge's second answer, a late answer after a timeout) are ignored. Partitions are not trusted:
 *
 * <ul>
 *   <li>a match whose space is not the space of the partial carrying it is dropped (spaces are tenants) and counted;
 *   <li>if a partial lists a memory more than once, only its best match for it counts (a partition is one piece of
 *       evidence, which matters for {@code noisy-or});
 *   <li>a partial with more than {@code limit} distinct memories is cut to its best {@code limit} (confidence
 *       descending, then memory id) and counted.
 * </ul>
 *
 * <p>Memory is bounded by {@code expected spaces × limit} matches. The answer is exactly the best {@code limit} of
 * everything merged, whatever the arrival order: each memory's matches are folded in the canonical
 * {@link MatchOrder#BEST_FIRST} order when the answer is built, so even a merge policy whose arithmetic is associative
 * only up to rounding ({@code noisy-or}) gives bit-identical answers; the coverage ratio is likewise summed in the
 * order of the expected spaces.
 */
public final class Aggregator {
    private static final byte PENDING = 0;
    private static final byte RESPONDED = 1;
    private static final byte MISSING = 2;

    private final List<MemorySpaceId> expectedSpaces;
    private final Map<MemorySpaceId, Integer> indexBySpace;
    private final int limit;
    private final MergePolicy mergePolicy;
    private final ConsistencyPolicy consistency;
    private final double penalty;

    private final Object lock = new Object();
    // Everything below is guarded by lock.
    private final byte[] states;
    private final double[] adjustments;
    private final MissingPartition[] missing;
    private int responded;
    private int lost;
    /** The first match received for each memory; most memories have only this one. */
    private final Map<MemoryId, Match> firstMatches = new HashMap<>();
    /** Further matches of a memory, from other partitions; folded with the first when the answer is built. */
    private final Map<MemoryId, List<Match>> laterMatches = new HashMap<>();

    private long droppedForeignMatches;
    private long droppedDuplicateMatches;
    private long truncatedPartials;
    private long truncatedMatches;

    /**
     * @param expectedSpaces the partitions the plan expects, distinct
     * @param limit the most matches to return, in [1, 10000]; also the most any one partition may contribute
     * @param mergePolicy how matches of the same memory combine
     * @param consistency how much coverage the answer needs
     * @param penalty λ of the coverage penalty, in [0, 1]
     */
    public Aggregator(
            List<MemorySpaceId> expectedSpaces,
            int limit,
            MergePolicy mergePolicy,
            ConsistencyPolicy consistency,
            double penalty) {
        requireNonNull(expectedSpaces, "expected spaces is null");
        Map<MemorySpaceId, Integer> index = new HashMap<>(expectedSpaces.size() * 4 / 3 + 1);
        for (MemorySpaceId space : expectedSpaces) {
            requireNonNull(space, "expected spaces must not contain null");
            if (index.putIfAbsent(space, index.size()) != null) {
                throw new IllegalArgumentException(
                        "expected spaces must not repeat an entry, got '" + space + "' twice");
            }
        }
        if (limit < 1 || limit > QueryOptions.MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be in [1, " + QueryOptions.MAX_LIMIT + "], got " + limit);
        }
        this.expectedSpaces = List.copyOf(expectedSpaces);
        this.indexBySpace = index; // never changed after this: read from any thread once published (final)
        this.limit = limit;
        this.mergePolicy = requireNonNull(mergePolicy, "merge policy is null");
        this.consistency = requireNonNull(consistency, "consistency policy is null");
        this.penalty = CoveragePenalty.checkPenalty(penalty);
        this.states = new byte[expectedSpaces.size()];
        this.adjustments = new double[expectedSpaces.size()];
        this.missing = new MissingPartition[expectedSpaces.size()];
    }

    /**
     * Merges one partition's answer.
     *
     * @return false, ignoring the partial, when its space is not expected or is already accounted for (answered or
     *     missing)
     */
    public boolean accept(PartialResult partial) {
        requireNonNull(partial, "partial is null");
        Integer index = indexBySpace.get(partial.space());
        if (index == null || !isPending(index)) {
            return false;
        }
        // Sort, filter and cut outside the lock so that partials arriving together are prepared in parallel.
        Prepared prepared = prepare(partial);
        synchronized (lock) {
            if (states[index] != PENDING) {
                return false;
            }
            states[index] = RESPONDED;
            adjustments[index] = partial.confidenceAdjustment();
            responded++;
            droppedForeignMatches += prepared.foreign();
            droppedDuplicateMatches += prepared.duplicates();
            if (prepared.truncated() > 0) {
                truncatedPartials++;
                truncatedMatches += prepared.truncated();
            }
            for (Match match : prepared.matches()) {
                Match first = firstMatches.putIfAbsent(match.memoryId(), match);
                if (first != null) {
                    laterMatches
                            .computeIfAbsent(match.memoryId(), id -> new ArrayList<>(2))
                            .add(match);
                }
            }
            return true;
        }
    }

    /**
     * Records a partition that will not answer.
     *
     * @return false, ignoring it, when its space is not expected or is already accounted for (answered or missing)
     */
    public boolean markMissing(MissingPartition partition) {
        requireNonNull(partition, "missing partition is null");
        Integer index = indexBySpace.get(partition.space());
        if (index == null) {
            return false;
        }
        synchronized (lock) {
            if (states[index] != PENDING) {
                return false;
            }
            states[index] = MISSING;
            missing[index] = partition;
            lost++;
            return true;
        }
    }

    public CoverageProgress progress() {
        synchronized (lock) {
            return new CoverageProgress(expectedSpaces.size(), responded, lost);
        }
    }

    /** Whether every expected partition has answered or been marked missing. */
    public boolean isComplete() {
        synchronized (lock) {
            return responded + lost == expectedSpaces.size();
        }
    }

    /** Whether the pending partitions could still satisfy the consistency policy. */
    public boolean canStillSucceed() {
        return consistency.canStillSucceed(progress());
    }

    /** The expected spaces neither answered nor marked missing, in the order they were expected. */
    public List<MemorySpaceId> pendingSpaces() {
        synchronized (lock) {
            List<MemorySpaceId> pending = new ArrayList<>();
            for (int i = 0; i < states.length; i++) {
                if (states[i] == PENDING) {
                    pending.add(expectedSpaces.get(i));
                }
            }
            return List.copyOf(pending);
        }
    }

    /**
     * Builds the answer. May be called more than once; partitions can no longer be added once nothing is pending.
     *
     * @throws IllegalStateException if a partition is still pending (mark it missing first, e.g. as a timeout)
     * @throws ConsistencyException if the coverage does not satisfy the consistency policy; its message names every
     *     missing partition and why
     */
    public AggregatedAnswer finish() {
        synchronized (lock) {
            int pending = expectedSpaces.size() - responded - lost;
            if (pending > 0) {
                throw new IllegalStateException("cannot finish while " + pending + " of " + expectedSpaces.size()
                        + " partitions are pending (" + pendingNames() + "); mark them missing first");
            }
            Coverage coverage = coverage();
            if (!consistency.isSatisfied(new CoverageProgress(expectedSpaces.size(), responded, lost))) {
                throw new ConsistencyException(consistency.name(), coverage);
            }
            List<Match> matches = topMatches();
            Confidence base = requireNonNull(
                    mergePolicy.baseConfidence(matches),
                    () -> "merge policy '" + mergePolicy.name() + "' returned a null base confidence");
            Confidence confidence = CoveragePenalty.apply(base, coverage.ratio(), penalty);
            return new AggregatedAnswer(matches, base, confidence, coverage, droppedForeignMatches, truncatedMatches);
        }
    }

    /** Matches dropped because their space differed from the space of the partial that carried them. */
    public long droppedForeignMatches() {
        synchronized (lock) {
            return droppedForeignMatches;
        }
    }

    /** Repeated matches of one memory within a single partial, beyond the best one. */
    public long droppedDuplicateMatches() {
        synchronized (lock) {
            return droppedDuplicateMatches;
        }
    }

    /** Partials that carried more than {@code limit} distinct memories. */
    public long truncatedPartials() {
        synchronized (lock) {
            return truncatedPartials;
        }
    }

    /** Matches cut from partials that carried more than {@code limit} distinct memories. */
    public long truncatedMatches() {
        synchronized (lock) {
            return truncatedMatches;
        }
    }

    private boolean isPending(int index) {
        synchronized (lock) {
            return states[index] == PENDING;
        }
    }

    private String pendingNames() {
        return pendingSpaces().stream().map(MemorySpaceId::toString).collect(Collectors.joining(", "));
    }

    /** Requires lock and nothing pending. */
    private Coverage coverage() {
        int expected = expectedSpaces.size();
        double sum = 0.0;
        List<MissingPartition> lostPartitions = new ArrayList<>(lost);
        // In expected order, so that the sum does not depend on the arrival order.
        for (int i = 0; i < expected; i++) {
            if (states[i] == RESPONDED) {
                sum += adjustments[i];
            } else {
                lostPartitions.add(missing[i]);
            }
        }
        double ratio = expected == 0 ? 1.0 : Math.min(1.0, sum / expected);
        return new Coverage(expected, responded, ratio, lostPartitions);
    }

    /** Requires lock. */
    private List<Match> topMatches() {
        PriorityQueue<Match> best = new PriorityQueue<>(limit + 1, MatchOrder.BEST_FIRST.reversed());
        for (Map.Entry<MemoryId, Match> entry : firstMatches.entrySet()) {
            List<Match> later = laterMatches.get(entry.getKey());
            Match merged = later == null ? entry.getValue() : fold(entry.getValue(), later);
            if (best.size() < limit) {
                best.add(merged);
            } else if (MatchOrder.BEST_FIRST.compare(merged, best.peek()) < 0) {
                best.poll();
                best.add(merged);
            }
        }
        List<Match> top = new ArrayList<>(best);
        top.sort(MatchOrder.BEST_FIRST);
        return top;
    }

    private Match fold(Match first, List<Match> later) {
        List<Match> all = new ArrayList<>(later.size() + 1);
        all.add(first);
        all.addAll(later);
        all.sort(MatchOrder.BEST_FIRST);
        Match merged = all.get(0);
        for (int i = 1; i < all.size(); i++) {
            merged = mergePolicy.merge(merged, all.get(i));
            if (merged == null || !merged.memoryId().equals(first.memoryId())) {
                throw new IllegalStateException(
                        "merge policy '" + mergePolicy.name() + "' turned matches of memory '" + first.memoryId()
                                + "' into " + (merged == null ? "null" : "memory '" + merged.memoryId() + "'"));
            }
        }
        return merged;
    }

    private Prepared prepare(PartialResult partial) {
        MemorySpaceId space = partial.space();
        List<Match> matches = partial.matches();
        if (matches.isEmpty()) {
            return Prepared.NOTHING; // most partials of a node-side reduced request: the node kept its best elsewhere
        }
        int foreign = 0;
        boolean sorted = true;
        Match previous = null;
        for (Match match : matches) {
            if (!isOwn(match, space)) {
                foreign++;
            } else {
                if (previous != null && MatchOrder.BEST_FIRST.compare(previous, match) > 0) {
                    sorted = false;
                }
                previous = match;
            }
        }
        List<Match> own = matches;
        if (foreign > 0 || !sorted) {
            own = new ArrayList<>(matches.size() - foreign);
            for (Match match : matches) {
                if (isOwn(match, space)) {
                    own.add(match);
                }
            }
            own.sort(MatchOrder.BEST_FIRST);
        }
        // The best `limit` distinct memories; a repeated memory keeps its best match (the first, in this order).
        int size = own.size();
        List<Match> kept = new ArrayList<>(Math.min(size, limit));
        Set<MemoryId> seen = new HashSet<>(Math.min(size, limit) * 2);
        int duplicates = 0;
        int next = 0;
        while (next < size && kept.size() < limit) {
            Match match = own.get(next++);
            if (seen.add(match.memoryId())) {
                kept.add(match);
            } else {
                duplicates++;
            }
        }
        return new Prepared(kept, foreign, duplicates, size - next);
    }

    private static boolean isOwn(Match match, MemorySpaceId space) {
        return match.space() == space || match.space().equals(space);
    }

    private record Prepared(List<Match> matches, int foreign, int duplicates, int truncated) {
        static final Prepared NOTHING = new Prepared(List.of(), 0, 0, 0);
    }
}
