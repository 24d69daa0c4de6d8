package io.engram.query.executor.scatter;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.Query;
import io.engram.query.spi.PartitionTask;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What one round of a multi-round query (a distributed spread or imagine) adds to an ordinary scatter: the task each
 * space's partition request carries, and a listener that sees every partial result the round accepts (to gather the
 * spread frontier or the imagine seeds, which the merged answer does not keep). The scatter itself (failover, retries,
 * hedging, deadline, metrics, merging) is the ordinary one.
 *
 * @param tasks the task of each space's partition request; a space not listed gets {@code otherwise}'s
 * @param otherwise the task of a space {@code tasks} does not list, from the round's query
 * @param onAnswer called with each accepted partial result, on the thread that completed it, under the execution's
 *     lock: it must be quick and must not call back into the executor
 * @param phase what this execution is to its client query (metrics count client queries apart from executions)
 */
public record ScatterRound(
        Map<MemorySpaceId, PartitionTask> tasks,
        Function<Query, PartitionTask> otherwise,
        Consumer<PartialResult> onAnswer,
        ScatterPhase phase) {
    private static final ScatterRound NONE =
            new ScatterRound(Map.of(), PartitionTask::of, partial -> {}, ScatterPhase.QUERY);

    public ScatterRound {
        tasks = Map.copyOf(requireNonNull(tasks, "tasks is null"));
        requireNonNull(otherwise, "otherwise is null");
        requireNonNull(onAnswer, "on answer is null");
        requireNonNull(phase, "phase is null");
    }

    /** A round of a spread: the task of every space of the plan is listed. */
    public static ScatterRound spread(Map<MemorySpaceId, PartitionTask> tasks, Consumer<PartialResult> onAnswer) {
        return new ScatterRound(
                tasks,
                query -> {
                    throw new IllegalStateException("a spread round lists the task of every space it plans");
                },
                onAnswer,
                ScatterPhase.SPREAD_ROUND);
    }

    /** The seed fetch of a distributed imagine: each accepted partial result goes to {@code onAnswer}. */
    public static ScatterRound seedFetch(PartitionTask.SeedFetch task, Consumer<PartialResult> onAnswer) {
        requireNonNull(task, "task is null");
        return new ScatterRound(Map.of(), query -> task, onAnswer, ScatterPhase.IMAGINE_SEEDS);
    }

    /** The recall of a distributed imagine with the coordinator's cue. */
    public static ScatterRound imagineRecall(PartitionTask.CueRecall task) {
        requireNonNull(task, "task is null");
        return new ScatterRound(Map.of(), query -> task, partial -> {}, ScatterPhase.IMAGINE_RECALL);
    }

    /** An ordinary scatter: the task the query needs ({@link PartitionTask#of}), no listener. */
    public static ScatterRound none() {
        return NONE;
    }

    /** The task {@code space}'s request carries. */
    PartitionTask taskFor(MemorySpaceId space, Query roundQuery) {
        PartitionTask own = tasks.get(space);
        return own != null ? own : otherwise.apply(roundQuery);
    }
}
