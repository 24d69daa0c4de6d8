package io.engram.query.api;

import java.time.Duration;

/** A ticker that moves only when told to. */
final class FakeTicker implements Ticker {
    private long nanos;

    FakeTicker(long startNanos) {
        this.nanos = startNanos;
    }

    FakeTicker() {
        this(0);
    }

    void advance(Duration duration) {
        nanos += duration.toNanos();
    }

    @Override
    public long nanoTime() {
        return nanos;
    }
}
