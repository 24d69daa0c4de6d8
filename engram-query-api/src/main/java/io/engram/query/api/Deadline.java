package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * One absolute deadline per query, fixed at the coordinator when the query arrives. Everything downstream reads
 * {@link #remaining()}; the remaining time travels to remote nodes, which fix their own deadline from it.
 */
public final class Deadline {
    private final Ticker ticker;
    private final long deadlineNanos;

    private Deadline(Ticker ticker, long deadlineNanos) {
        this.ticker = ticker;
        this.deadlineNanos = deadlineNanos;
    }

    /** A deadline {@code timeout} from now on the system clock. */
    public static Deadline after(Duration timeout) {
        return after(timeout, Ticker.system());
    }

    /** A deadline {@code timeout} from now on {@code ticker}; the timeout must not be negative. */
    public static Deadline after(Duration timeout, Ticker ticker) {
        requireNonNull(timeout, "timeout is null");
        requireNonNull(ticker, "ticker is null");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("deadline timeout must not be negative, got " + timeout);
        }
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE / 4;
        }
        return new Deadline(ticker, ticker.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 4));
    }

    /** Time left, never negative. */
    public Duration remaining() {
        return Duration.ofNanos(remainingNanos());
    }

    public long remainingNanos() {
        return Math.max(0, deadlineNanos - ticker.nanoTime());
    }

    /** Time left in whole milliseconds, rounded down, never negative. */
    public long remainingMillis() {
        return remainingNanos() / 1_000_000;
    }

    public boolean isExpired() {
        return deadlineNanos - ticker.nanoTime() <= 0;
    }

    /** The earlier of this deadline and one {@code timeout} from now. */
    public Deadline min(Duration timeout) {
        Deadline other = after(timeout, ticker);
        return other.deadlineNanos - deadlineNanos < 0 ? other : this;
    }

    public Ticker ticker() {
        return ticker;
    }

    @Override
    public String toString() {
        return "Deadline[" + remainingMillis() + " ms remaining]";
    }
}
