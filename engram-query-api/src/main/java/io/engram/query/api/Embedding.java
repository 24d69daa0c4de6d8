package io.engram.query.api;

import java.util.Arrays;
import java.util.List;

/** An immutable dense vector of finite floats. */
public final class Embedding {
    public static final int MAX_DIMENSIONS = 65_536;

    private final float[] values;

    private Embedding(float[] values) {
        this.values = values;
    }

    /** Copies and validates {@code values}: 1 to 65,536 finite numbers. */
    public static Embedding of(float... values) {
        if (values == null) {
            throw new IllegalArgumentException("embedding is null");
        }
        float[] copy = values.clone();
        checkLength("embedding", copy.length);
        for (int i = 0; i < copy.length; i++) {
            if (!Float.isFinite(copy[i])) {
                throw new IllegalArgumentException("embedding[" + i + "] must be a finite number, got " + copy[i]);
            }
        }
        return new Embedding(copy);
    }

    public static Embedding of(List<? extends Number> values) {
        if (values == null) {
            throw new IllegalArgumentException("embedding is null");
        }
        float[] array = new float[values.size()];
        for (int i = 0; i < array.length; i++) {
            Number n = values.get(i);
            if (n == null) {
                throw new IllegalArgumentException("embedding[" + i + "] is null");
            }
            array[i] = n.floatValue();
            if (Float.isInfinite(array[i]) && Double.isFinite(n.doubleValue())) {
                throw new IllegalArgumentException("embedding[" + i + "] must fit in a 32-bit float, got " + n);
            }
        }
        return of(array);
    }

    static void checkLength(String field, int length) {
        if (length < 1 || length > MAX_DIMENSIONS) {
            throw new IllegalArgumentException(
                    field + " must have 1 to " + MAX_DIMENSIONS + " dimensions, got " + length);
        }
    }

    public int dimensions() {
        return values.length;
    }

    public float get(int index) {
        return values[index];
    }

    /** A copy of the values. */
    public float[] toArray() {
        return values.clone();
    }

    /** Throws when this embedding does not have {@code expected} dimensions. */
    public Embedding requireDimensions(String field, int expected) {
        if (values.length != expected) {
            throw new IllegalArgumentException(field + " must have " + expected + " dimensions, got " + values.length);
        }
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Embedding other && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Embedding[" + values.length + " dimensions]";
    }
}
