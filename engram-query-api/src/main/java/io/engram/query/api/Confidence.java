package io.engram.query.api;

/**
 * A degree of belief in [0, 1], with the probabilistic combinators Engram uses.
 *
 * @param value a finite number in [0, 1]
 */
public record Confidence(double value) implements Comparable<Confidence> {
    public static final Confidence NONE = new Confidence(0.0);
    public static final Confidence LOW = new Confidence(0.1);
    public static final Confidence MEDIUM = new Confidence(0.5);
    public static final Confidence HIGH = new Confidence(0.9);
    public static final Confidence CERTAIN = new Confidence(1.0);

    public Confidence {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException("confidence must be in [0, 1], got " + value);
        }
        // -0.0 passes the range check but would not equal NONE; store the one zero.
        if (value == 0.0) {
            value = 0.0;
        }
    }

    public static Confidence of(double value) {
        return new Confidence(value);
    }

    /** Clips any finite number into [0, 1]; rejects NaN. */
    public static Confidence clipped(double value) {
        if (Double.isNaN(value)) {
            throw new IllegalArgumentException("confidence must be a number in [0, 1], got NaN");
        }
        return new Confidence(Math.max(0.0, Math.min(1.0, value)));
    }

    /** Both hold, independently: {@code a·b}. */
    public Confidence and(Confidence other) {
        return new Confidence(value * other.value);
    }

    /** Either holds, independently: {@code a + b − a·b}. */
    public Confidence or(Confidence other) {
        return clipped(value + other.value - value * other.value);
    }

    /** The complement: {@code 1 − a}. */
    public Confidence not() {
        return new Confidence(1.0 - value);
    }

    /** This confidence multiplied by a factor in [0, 1]. */
    public Confidence scaled(double factor) {
        if (!(factor >= 0.0 && factor <= 1.0)) {
            throw new IllegalArgumentException("confidence scale factor must be in [0, 1], got " + factor);
        }
        return new Confidence(value * factor);
    }

    @Override
    public int compareTo(Confidence other) {
        return Double.compare(value, other.value);
    }

    @Override
    public String toString() {
        return Double.toString(value);
    }
}
