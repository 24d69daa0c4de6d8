package io.engram.query.executor.engine;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import java.util.Optional;
import java.util.function.Function;

/**
 * Tuning of the {@link EmbeddedQueryEngine}.
 *
 * @param deadlineCheckInterval the deadline is read once per this many memories scanned (or frontier memories
 *     expanded by a spread), in [1, 1000000]
 * @param externalSpaces names the space of an edge target this store does not hold (for the spread frontier); the
 *     store's own lookup comes first
 */
public record EngineOptions(int deadlineCheckInterval, Function<MemoryId, Optional<MemorySpaceId>> externalSpaces) {
    public static final int DEFAULT_DEADLINE_CHECK_INTERVAL = 512;

    public EngineOptions {
        if (deadlineCheckInterval < 1 || deadlineCheckInterval > 1_000_000) {
            throw new IllegalArgumentException(
                    "deadline check interval must be in [1, 1000000], got " + deadlineCheckInterval);
        }
        requireNonNull(externalSpaces, "external spaces is null");
    }

    /** Checks the deadline every 512 memories; knows no space beyond the store. */
    public static EngineOptions defaults() {
        return new EngineOptions(DEFAULT_DEADLINE_CHECK_INTERVAL, id -> Optional.empty());
    }

    public EngineOptions withDeadlineCheckInterval(int interval) {
        return new EngineOptions(interval, externalSpaces);
    }

    public EngineOptions withExternalSpaces(Function<MemoryId, Optional<MemorySpaceId>> resolver) {
        return new EngineOptions(deadlineCheckInterval, resolver);
    }
}
