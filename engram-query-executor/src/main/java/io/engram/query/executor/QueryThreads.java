package io.engram.query.executor;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor's threads: a compute pool bounded to the cores for local partitions (more search threads than cores
 * only slows every query), and a small scheduler for deadlines, hedges and retry backoff. The compute pool's queue
 * has no bound of its own: every task on it comes through {@code LocalPartitionRunner}, which admits at most
 * {@code query.max_queued_partitions} waiting runs and refuses the next as overloaded. Daemon threads, so a host
 * that forgets {@link #close()} still exits. The module's are closed by {@link QueryNode}.
 */
public final class QueryThreads implements AutoCloseable {
    private final ThreadPoolExecutor compute;
    private final ScheduledThreadPoolExecutor scheduler;

    public QueryThreads(int computeThreads) {
        if (computeThreads < 1) {
            throw new IllegalArgumentException("compute threads must be >= 1, got " + computeThreads);
        }
        this.compute = new ThreadPoolExecutor(
                computeThreads,
                computeThreads,
                0,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                daemon("engram-query-compute-"));
        this.scheduler = new ScheduledThreadPoolExecutor(2, daemon("engram-query-timer-"));
        scheduler.setRemoveOnCancelPolicy(true);
    }

    public ExecutorService compute() {
        return compute;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        compute.shutdownNow();
        scheduler.shutdownNow();
    }
}
