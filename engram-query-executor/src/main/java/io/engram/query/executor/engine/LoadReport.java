package io.engram.query.executor.engine;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What a {@link JsonLinesLoader} load did. A caller that must not start with bad data calls
 * {@link #requireNoErrors()}.
 *
 * @param source the file (or other source) read
 * @param lines lines read, blank ones included
 * @param loaded memories added to the store
 * @param skipped valid memories of spaces this node does not load
 * @param errorCount bad lines; at most {@link #MAX_REPORTED_ERRORS} of them are listed in {@code errors}
 * @param errors the first bad lines, in file order
 */
public record LoadReport(String source, long lines, int loaded, int skipped, long errorCount, List<LoadError> errors) {
    public static final int MAX_REPORTED_ERRORS = 1000;

    public LoadReport {
        requireNonNull(source, "source is null");
        errors = List.copyOf(requireNonNull(errors, "errors is null"));
        if (lines < 0 || loaded < 0 || skipped < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
        if (errorCount < errors.size()) {
            throw new IllegalArgumentException(
                    "error count must be at least " + errors.size() + " (the errors listed), got " + errorCount);
        }
    }

    public boolean hasErrors() {
        return errorCount > 0;
    }

    /** Returns this report when every line was good; otherwise throws, naming the first bad lines. */
    public LoadReport requireNoErrors() {
        if (hasErrors()) {
            String listed = errors.stream().limit(10).map(LoadError::toString).collect(Collectors.joining("; "));
            throw new IllegalStateException(errorCount + " bad line" + (errorCount == 1 ? "" : "s") + " in " + source
                    + ": " + listed + (errorCount > 10 ? "; ..." : ""));
        }
        return this;
    }
}
