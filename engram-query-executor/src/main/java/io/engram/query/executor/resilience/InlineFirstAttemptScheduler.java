package io.engram.query.executor.resilience;

import static java.util.Objects.requireNonNull;

import dev.failsafe.spi.DefaultScheduledFuture;
import dev.failsafe.spi.Scheduler;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Failsafe {@link Scheduler} that runs work due now on the calling thread and only delayed work (retry backoff) on
 * the timer pool. Failsafe's async executions schedule even their first attempt; on the shared two-thread timer
 * pool that hop made the calls of a wide fan-out start one after another, which showed up as partition latency (and
 * inflated adaptive hedge delays). Transports never block the caller, so running the first attempt inline is safe.
 */
public final class InlineFirstAttemptScheduler implements Scheduler {
    private final Scheduler delayed;

    public InlineFirstAttemptScheduler(ScheduledExecutorService timers) {
        this.delayed = Scheduler.of(requireNonNull(timers, "timers is null"));
    }

    @Override
    public ScheduledFuture<?> schedule(Callable<?> callable, long delay, TimeUnit unit) {
        if (delay > 0) {
            return delayed.schedule(callable, delay, unit);
        }
        try {
            callable.call();
        } catch (Exception e) {
            // Failsafe's own callables record their failures in the execution; nothing escapes here in practice.
            throw new IllegalStateException("an inline Failsafe attempt failed", e);
        }
        return new DefaultScheduledFuture<>();
    }
}
