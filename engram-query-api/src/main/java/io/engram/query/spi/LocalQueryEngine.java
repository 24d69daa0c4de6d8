package io.engram.query.spi;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.PartialResult;
import java.util.Set;

/**
 * Runs queries against the spaces this node holds. The host (Engram) brings its store through this interface; the
 * embedded in-memory engine is the default. Called concurrently from the executor's compute threads.
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

    /**
     * Runs {@code request} against its one space. Must honour the request's deadline: when time runs out, return the
     * best matches found so far with a {@code confidenceAdjustment} equal to the share of the space scanned, rather
     * than nothing. Throws {@link IllegalArgumentException} for a request it can not run (a space it does not hold,
     * an embedding of the wrong length), with a message saying what was wrong.
     */
    PartialResult execute(PartitionRequest request);
}
