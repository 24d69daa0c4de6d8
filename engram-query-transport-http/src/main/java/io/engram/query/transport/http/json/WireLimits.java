package io.engram.query.transport.http.json;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Bounds on what the wire format accepts, so that a hostile or broken peer can not make a parser allocate without
 * limit.
 *
 * @param maxDocumentBytes the largest message, in bytes
 * @param maxNestingDepth the deepest nesting of objects and arrays
 * @param maxStringLength the longest string value, in characters
 * @param maxArrayLength the most entries in any array (spaces, seeds, embedding dimensions, matches)
 * @param dimensions when present, every embedding (and partial embedding) must have exactly this many dimensions
 */
public record WireLimits(
        int maxDocumentBytes,
        int maxNestingDepth,
        int maxStringLength,
        int maxArrayLength,
        Optional<Integer> dimensions) {
    public static final int DEFAULT_MAX_DOCUMENT_BYTES = 1 << 20;
    public static final int DEFAULT_MAX_NESTING_DEPTH = 32;
    public static final int DEFAULT_MAX_STRING_LENGTH = 64 * 1024;
    public static final int DEFAULT_MAX_ARRAY_LENGTH = 65_536;

    public WireLimits {
        checkPositive("max document bytes", maxDocumentBytes);
        checkPositive("max nesting depth", maxNestingDepth);
        checkPositive("max string length", maxStringLength);
        checkPositive("max array length", maxArrayLength);
        requireNonNull(dimensions, "dimensions is null");
        dimensions.ifPresent(d -> checkPositive("dimensions", d));
    }

    public static WireLimits defaults() {
        return new WireLimits(
                DEFAULT_MAX_DOCUMENT_BYTES,
                DEFAULT_MAX_NESTING_DEPTH,
                DEFAULT_MAX_STRING_LENGTH,
                DEFAULT_MAX_ARRAY_LENGTH,
                Optional.empty());
    }

    public WireLimits withMaxDocumentBytes(int bytes) {
        return new WireLimits(bytes, maxNestingDepth, maxStringLength, maxArrayLength, dimensions);
    }

    public WireLimits withDimensions(Optional<Integer> newDimensions) {
        return new WireLimits(maxDocumentBytes, maxNestingDepth, maxStringLength, maxArrayLength, newDimensions);
    }

    private static void checkPositive(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " must be >= 1, got " + value);
        }
    }
}
