package io.engram.query.api;

import java.util.Arrays;
import java.util.List;

/** A vector in which some dimensions are unknown, used by pattern completion. */
public final class PartialEmbedding {
    private final float[] values;
    private final boolean[] known;
    private final int knownCount;

    private PartialEmbedding(float[] values, boolean[] known, int knownCount) {
        this.values = values;
        this.known = known;
        this.knownCount = knownCount;
    }

    /**
     * Builds a partial embedding from a list in which {@code null} marks an unknown dimension. Needs 1 to 65,536
     * dimensions, at least one of them known, and every known value finite.
     */
    public static PartialEmbedding of(List<? extends Number> dimensions) {
        if (dimensions == null) {
            throw new IllegalArgumentException("partial embedding is null");
        }
        Embedding.checkLength("partial embedding", dimensions.size());
        float[] values = new float[dimensions.size()];
        boolean[] known = new boolean[dimensions.size()];
        int count = 0;
        for (int i = 0; i < values.length; i++) {
            Number n = dimensions.get(i);
            if (n == null) {
                continue;
            }
            float v = n.floatValue();
            if (Float.isInfinite(v) && Double.isFinite(n.doubleValue())) {
                throw new IllegalArgumentException("partial embedding[" + i + "] must fit in a 32-bit float, got " + n);
            }
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(
                        "partial embedding[" + i + "] must be a finite number or null, got " + n);
            }
            values[i] = v;
            known[i] = true;
            count++;
        }
        if (count == 0) {
            throw new IllegalArgumentException("partial embedding must have at least one known dimension");
        }
        return new PartialEmbedding(values, known, count);
    }

    public int dimensions() {
        return values.length;
    }

    public int knownCount() {
        return knownCount;
    }

    public boolean isKnown(int index) {
        return known[index];
    }

    /** The value of a known dimension; 0 for an unknown one. */
    public float get(int index) {
        return values[index];
    }

    /** Throws when this partial embedding does not have {@code expected} dimensions. */
    public PartialEmbedding requireDimensions(String field, int expected) {
        if (values.length != expected) {
            throw new IllegalArgumentException(field + " must have " + expected + " dimensions, got " + values.length);
        }
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PartialEmbedding other
                && Arrays.equals(values, other.values)
                && Arrays.equals(known, other.known);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(values) + Arrays.hashCode(known);
    }

    @Override
    public String toString() {
        return "PartialEmbedding[" + knownCount + " of " + values.length + " dimensions known]";
    }
}
