package io.engram.query.api;

/** A monotonic nanosecond clock; tests substitute a fake one. */
@FunctionalInterface
public interface Ticker {
    long nanoTime();

    static Ticker system() {
        return System::nanoTime;
    }
}
