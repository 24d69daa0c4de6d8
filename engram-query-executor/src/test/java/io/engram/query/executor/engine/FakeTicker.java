package io.engram.query.executor.engine;

import io.engram.query.api.Ticker;

/** A ticker that advances by a fixed step on every read. */
final class FakeTicker implements Ticker {
    private final long step;
    private long now;
    private int reads;

    FakeTicker(long step) {
        this.step = step;
    }

    @Override
    public long nanoTime() {
        reads++;
        long time = now;
        now += step;
        return time;
    }

    int reads() {
        return reads;
    }
}
