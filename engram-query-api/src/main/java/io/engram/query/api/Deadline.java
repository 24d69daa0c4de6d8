package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One absolute deadline per query, fixed at the coordinator when the query arrives. Everything downstream reads
 * {@link #remaining()}; the remaining time travels to remote nodes, which fix their own deadline from it.
 *
 * <p>A deadline can also be cancelled, when nobody waits for the work under it any more: a cancelled deadline is
 * {@linkplain #isExpired() expired}, so an engine that checks the deadline in its loops stops at its next check. A
 * {@linkplain #child() child} has the same instant and its own cancellation, and is cancelled with its parent: one
 * call of a query can be cancelled (a lost hedge) without the others.
 */
public final class Deadline {
    private final Ticker ticker;
    private final long deadlineNanos;
    private final Deadline parent;
    private volatile boolean cancelled;
    /** Run once on {@link #cancel()}; guarded by this. */
    private List<Runnable> onCancel;

    private Deadline(Ticker ticker, long deadlineNanos, Deadline parent) {
        this.ticker = ticker;
        this.deadlineNanos = deadlineNanos;
        this.parent = parent;
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
        return new Deadline(ticker, ticker.nanoTime() + Math.min(nanos, Long.MAX_VALUE / 4), null);
    }

    /** A deadline at the same instant, cancelled when this one is, and cancellable on its own. */
    public Deadline child() {
        return new Deadline(ticker, deadlineNanos, this);
    }

    /**
     * Nobody waits for the work under this deadline (and its children) any more: marks it cancelled and runs the
     * actions registered with {@link #onCancel}, on this thread. Idempotent.
     */
    public void cancel() {
        List<Runnable> actions;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            actions = onCancel == null ? List.of() : onCancel;
            onCancel = null;
        }
        actions.forEach(Runnable::run);
    }

    /**
     * Runs {@code action} when this deadline is cancelled, or at once when it already is. Not run when only a parent
     * is cancelled: register on the deadline whose cancellation matters.
     */
    public void onCancel(Runnable action) {
        requireNonNull(action, "action is null");
        synchronized (this) {
            if (!cancelled) {
                if (onCancel == null) {
                    onCancel = new ArrayList<>(2);
                }
                onCancel.add(action);
                return;
            }
        }
        action.run();
    }

    /** Whether this deadline or one of its parents was cancelled. */
    public boolean isCancelled() {
        for (Deadline d = this; d != null; d = d.parent) {
            if (d.cancelled) {
                return true;
            }
        }
        return false;
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

    /** Whether the instant has passed or the deadline was {@linkplain #cancel() cancelled}. */
    public boolean isExpired() {
        return deadlineNanos - ticker.nanoTime() <= 0 || isCancelled();
    }

    /** The earlier of this deadline and one {@code timeout} from now; an earlier one is cancelled with this one. */
    public Deadline min(Duration timeout) {
        Deadline other = after(timeout, ticker);
        return other.deadlineNanos - deadlineNanos < 0 ? new Deadline(ticker, other.deadlineNanos, this) : this;
    }

    public Ticker ticker() {
        return ticker;
    }

    @Override
    public String toString() {
        return "Deadline[" + remainingMillis() + " ms remaining" + (isCancelled() ? ", cancelled" : "") + "]";
    }
}
