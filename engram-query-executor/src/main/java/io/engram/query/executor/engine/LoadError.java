package io.engram.query.executor.engine;

import static java.util.Objects.requireNonNull;

/**
 * A line of a JSON Lines file that was not loaded, and why.
 *
 * @param line the line number, from 1
 * @param reason what was wrong with it
 */
public record LoadError(long line, String reason) {
    public LoadError {
        if (line < 1) {
            throw new IllegalArgumentException("line must be at least 1, got " + line);
        }
        requireNonNull(reason, "reason is null");
    }

    @Override
    public String toString() {
        return "line " + line + ": " + reason;
    }
}
