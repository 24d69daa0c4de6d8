package io.engram.query.spi;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.PartialResult;
import java.util.Set;

/**
 * Runs the partition tasks of queries against the spaces this node holds. The host (Engram) brings its store through
 * this interface; the embedded in-memory engine is the default. Called concurrently from the executor's compute
 * threads.
 *
 * <p>A host implements the kinds it serves, one method each ({@link PartitionTask} documents what each answers); a
 * kind left out fails with {@link UnsupportedOperationException}, which the coordinator reports as a failed
 * partition naming the kind. Every method must honour the request's deadline: when time runs out, return the best
 * found so far with a {@code confidenceAdjustment} equal to the share of the work done, rather than nothing; and
 * throw {@link IllegalArgumentException} for a request it can not run (a space it does not hold, an embedding of the
 * wrong length), with a message saying what was wrong.
 */
public interface LocalQueryEngine {
    /** Whether this node holds {@code space}. */
    boolean holds(MemorySpaceId space);

    /**
     * The spaces this node holds, when the engine can list them; the embedded space directory of a single node
     * assigns each of them to this node. Empty by default.
     */
    default Set<MemorySpaceId> localSpaces() {
        return Set.of();
    }

    /** Runs {@code request} by its task's kind. */
    default PartialResult execute(PartitionRequest request) {
        PartitionTask task = request.task();
        if (task instanceof PartitionTask.Scan scan) {
            return scan(request, scan);
        } else if (task instanceof PartitionTask.SpreadRun run) {
            return spreadRun(request, run);
        } else if (task instanceof PartitionTask.SpreadStep step) {
            return spreadStep(request, step);
        } else if (task instanceof PartitionTask.SeedFetch fetch) {
            return seedFetch(request, fetch);
        } else if (task instanceof PartitionTask.CueRecall recall) {
            return cueRecall(request, recall);
        }
        throw new IllegalStateException("unknown task kind " + task.kind());
    }

    /** A recall or complete over the request's space. */
    default PartialResult scan(PartitionRequest request, PartitionTask.Scan task) {
        throw unsupported(task);
    }

    /** A spread running ahead through the space (the maximum as combiner). */
    default PartialResult spreadRun(PartitionRequest request, PartitionTask.SpreadRun task) {
        throw unsupported(task);
    }

    /** One superstep of a spread. */
    default PartialResult spreadStep(PartitionRequest request, PartitionTask.SpreadStep task) {
        throw unsupported(task);
    }

    /** The seeds of an imagine this node holds. */
    default PartialResult seedFetch(PartitionRequest request, PartitionTask.SeedFetch task) {
        throw unsupported(task);
    }

    /** A recall of the coordinator's imagine cue over the space. */
    default PartialResult cueRecall(PartitionRequest request, PartitionTask.CueRecall task) {
        throw unsupported(task);
    }

    private UnsupportedOperationException unsupported(PartitionTask task) {
        return new UnsupportedOperationException(
                getClass().getSimpleName() + " does not run " + task.kind() + " tasks");
    }
}
