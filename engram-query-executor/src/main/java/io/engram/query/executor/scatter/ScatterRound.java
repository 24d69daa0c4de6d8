package io.engram.query.executor.scatter;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Embedding;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.Query;
import io.engram.query.spi.SpreadStart;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What one round of a multi-round query (a distributed spread) adds to an ordinary scatter: the spread starts each
 * space's partition request carries, and a listener that sees every partial result the round accepts (to gather the
 * spread frontier, which the merged answer does not keep). The scatter itself (failover, retries, hedging, deadline,
 * metrics, merging) is the ordinary one.
 *
 * @param starts per space, the starts of its partition request; a space not listed gets none
 * @param queries per space, the query its partition request carries instead of the round's (a spread sends each space
 *     only the seeds it holds); a space not listed gets the round's query
 * @param onAnswer called with each accepted partial result, on the thread that completed it, under the execution's
 *     lock: it must be quick and must not call back into the executor
 * @param seedsOnly every partition request of the round asks only for the imagine query's seeds (a distributed
 *     imagine's seed fetch)
 * @param imagineCue the cue every partition request of the round recalls (a distributed imagine's second phase)
 * @param phase what this execution is to its client query (metrics count client queries apart from executions)
 */
public record ScatterRound(
        Map<MemorySpaceId, List<SpreadStart>> starts,
        Map<MemorySpaceId, ? extends Query> queries,
        Consumer<PartialResult> onAnswer,
        boolean seedsOnly,
        Optional<Embedding> imagineCue,
        ScatterPhase phase) {
    private static final ScatterRound NONE =
            new ScatterRound(Map.of(), Map.of(), partial -> {}, false, Optional.empty(), ScatterPhase.QUERY);

    public ScatterRound {
        starts = Map.copyOf(requireNonNull(starts, "starts is null"));
        queries = Map.copyOf(requireNonNull(queries, "queries is null"));
        requireNonNull(onAnswer, "on answer is null");
        requireNonNull(imagineCue, "imagine cue is null");
        requireNonNull(phase, "phase is null");
    }

    /** A round of spread starts, every space getting the round's query. */
    public ScatterRound(Map<MemorySpaceId, List<SpreadStart>> starts, Consumer<PartialResult> onAnswer) {
        this(starts, Map.of(), onAnswer, false, Optional.empty(), ScatterPhase.SPREAD_ROUND);
    }

    /** A round of spread starts, with the query of each space listed in {@code queries}. */
    public static ScatterRound spread(
            Map<MemorySpaceId, List<SpreadStart>> starts,
            Map<MemorySpaceId, ? extends Query> queries,
            Consumer<PartialResult> onAnswer) {
        return new ScatterRound(starts, queries, onAnswer, false, Optional.empty(), ScatterPhase.SPREAD_ROUND);
    }

    /** The seed fetch of a distributed imagine: each accepted partial result goes to {@code onAnswer}. */
    public static ScatterRound seedFetch(Consumer<PartialResult> onAnswer) {
        return new ScatterRound(Map.of(), Map.of(), onAnswer, true, Optional.empty(), ScatterPhase.IMAGINE_SEEDS);
    }

    /** The recall of a distributed imagine with the coordinator's cue. */
    public static ScatterRound imagineRecall(Embedding cue) {
        return new ScatterRound(
                Map.of(),
                Map.of(),
                partial -> {},
                false,
                Optional.of(requireNonNull(cue, "cue is null")),
                ScatterPhase.IMAGINE_RECALL);
    }

    /** An ordinary scatter: no starts, no listener. */
    public static ScatterRound none() {
        return NONE;
    }

    List<SpreadStart> startsFor(MemorySpaceId space) {
        return starts.getOrDefault(space, List.of());
    }

    /** The query {@code space}'s request carries: its own, or {@code roundQuery}. */
    Query queryFor(MemorySpaceId space, Query roundQuery) {
        Query own = queries.get(space);
        return own != null ? own : roundQuery;
    }
}
