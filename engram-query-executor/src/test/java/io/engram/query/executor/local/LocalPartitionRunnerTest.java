package io.engram.query.executor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.api.Confidence;
import io.engram.query.api.Cue;
import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.RecallQuery;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.spi.LocalQueryEngine;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalPartitionRunnerTest {
    private static final MemorySpaceId SPACE = MemorySpaceId.of("s1");

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void inlineRunWithAFreePermitComputesOnTheCallingThreadWithoutThePool() {
        RecordingEngine engine = new RecordingEngine();
        LocalPartitionRunner runner = new LocalPartitionRunner(
                engine,
                command -> {
                    throw new AssertionError("the pool must not be used");
                },
                2);

        CompletableFuture<PartialResult> result = runner.runInline(request(Duration.ofSeconds(5)));

        assertThat(result).isCompleted();
        assertThat(result.join().space()).isEqualTo(SPACE);
        assertThat(engine.threads).containsExactly(Thread.currentThread().getName());
    }

    @Test
    void inlineRunQueuesOnThePoolWhileEveryPermitIsTaken() throws Exception {
        GatedEngine engine = new GatedEngine();
        LocalPartitionRunner runner = new LocalPartitionRunner(engine, pool, 1);
        CompletableFuture<PartialResult> first = runner.run(request(Duration.ofSeconds(5)));
        assertThat(engine.started.await(5, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<PartialResult> second = runner.runInline(request(Duration.ofSeconds(5)));

        assertThat(second).isNotDone();
        engine.release.countDown();
        assertThat(first.get(5, TimeUnit.SECONDS).space()).isEqualTo(SPACE);
        assertThat(second.get(5, TimeUnit.SECONDS).space()).isEqualTo(SPACE);
        assertThat(engine.threads)
                .hasSize(2)
                .doesNotContain(Thread.currentThread().getName());
    }

    @Test
    void partitionsNeverComputeMoreAtOnceThanTheParallelismWhetherInlineOrPooled() throws Exception {
        GatedEngine engine = new GatedEngine();
        engine.release.countDown();
        LocalPartitionRunner runner = new LocalPartitionRunner(engine, pool, 2);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<PartialResult>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                boolean inline = i % 2 == 0;
                results.add(CompletableFuture.supplyAsync(
                                () -> inline
                                        ? runner.runInline(request(Duration.ofSeconds(30)))
                                        : runner.run(request(Duration.ofSeconds(30))),
                                callers)
                        .thenCompose(f -> f));
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            callers.shutdownNow();
        }

        assertThat(engine.maxConcurrent.get()).isBetween(1, 2);
        assertThat(engine.threads).hasSize(200);
    }

    @Test
    void inlineRunPastItsDeadlineFailsWithTimeoutAndReturnsItsPermit() {
        RecordingEngine engine = new RecordingEngine();
        LocalPartitionRunner runner = new LocalPartitionRunner(engine, pool, 1);

        CompletableFuture<PartialResult> late = runner.runInline(request(Duration.ZERO));

        assertThatThrownBy(late::get)
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(TransportException.class)
                .hasMessage("deadline passed before partition s1 started")
                .satisfies(e -> assertThat(((TransportException) e).reason()).isEqualTo(MissingReason.TIMEOUT));
        assertThat(engine.threads).isEmpty();
        assertThat(runner.runInline(request(Duration.ofSeconds(5)))).isCompleted();
        assertThat(engine.threads).containsExactly(Thread.currentThread().getName());
    }

    @Test
    void inlineRunWithoutAParallelismBoundUsesThePool() throws Exception {
        RecordingEngine engine = new RecordingEngine();
        LocalPartitionRunner runner = new LocalPartitionRunner(engine, pool);

        assertThat(runner.runInline(request(Duration.ofSeconds(5)))
                        .get(5, TimeUnit.SECONDS)
                        .space())
                .isEqualTo(SPACE);
        assertThat(engine.threads)
                .hasSize(1)
                .doesNotContain(Thread.currentThread().getName());
    }

    @Test
    void aRunOverTheQueueCapIsRefusedAtOnceAsOverloaded() throws Exception {
        GatedEngine engine = new GatedEngine();
        QueryMetrics metrics = new QueryMetrics(new MetricRegistry());
        LocalPartitionRunner runner = new LocalPartitionRunner(engine, pool, 1, 1, metrics);
        CompletableFuture<PartialResult> running = runner.run(request(Duration.ofSeconds(5)));
        assertThat(engine.started.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<PartialResult> waiting = runner.run(request(Duration.ofSeconds(5)));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> runner.queued() == 1);

        CompletableFuture<PartialResult> refused = runner.runInline(request(Duration.ofSeconds(5)));

        assertThat(refused).isCompletedExceptionally();
        assertThatThrownBy(refused::get)
                .cause()
                .isInstanceOf(TransportException.class)
                .hasMessage("node is at its partition queue cap (1 waiting, query.max_queued_partitions); try another"
                        + " copy")
                .satisfies(
                        e -> assertThat(((TransportException) e).isOverloaded()).isTrue());
        assertThat(metrics.count(QueryMetrics.labelled(QueryMetrics.OVERLOADED, "scope", "partition")))
                .isEqualTo(1);
        engine.release.countDown();
        assertThat(running.get(5, TimeUnit.SECONDS).space()).isEqualTo(SPACE);
        assertThat(waiting.get(5, TimeUnit.SECONDS).space()).isEqualTo(SPACE);
        assertThat(runner.queued()).isZero();
    }

    @Test
    void cancellingARunStopsTheEngineAtItsNextDeadlineCheck() throws Exception {
        SpinningEngine engine = new SpinningEngine();
        QueryMetrics metrics = new QueryMetrics(new MetricRegistry());
        LocalPartitionRunner runner = new LocalPartitionRunner(engine, pool, 1, 10, metrics);
        CompletableFuture<PartialResult> run = runner.run(request(Duration.ofSeconds(30)));
        assertThat(engine.started.await(5, TimeUnit.SECONDS)).isTrue();

        run.cancel(true);

        assertThat(engine.stopped.await(5, TimeUnit.SECONDS))
                .as("the engine saw the cancellation")
                .isTrue();
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> metrics.count(QueryMetrics.PARTITION_CANCELLED) == 1);
    }

    @Test
    void aRunCancelledBeforeItStartsNeverReachesTheEngine() throws Exception {
        GatedEngine engine = new GatedEngine();
        QueryMetrics metrics = new QueryMetrics(new MetricRegistry());
        LocalPartitionRunner runner = new LocalPartitionRunner(engine, pool, 1, 10, metrics);
        CompletableFuture<PartialResult> first = runner.run(request(Duration.ofSeconds(5)));
        assertThat(engine.started.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<PartialResult> second = runner.run(request(Duration.ofSeconds(5)));

        second.cancel(true);
        engine.release.countDown();

        assertThat(first.get(5, TimeUnit.SECONDS).space()).isEqualTo(SPACE);
        assertThatThrownBy(second::join).isInstanceOf(CancellationException.class);
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> metrics.count(QueryMetrics.PARTITION_CANCELLED) == 1 && runner.queued() == 0);
        assertThat(engine.threads).hasSize(1);
    }

    @Test
    void parallelismBelowOneIsRejected() {
        assertThatThrownBy(() -> new LocalPartitionRunner(new RecordingEngine(), pool, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("parallelism must be >= 1, got 0");
    }

    private static PartitionRequest request(Duration timeout) {
        return new PartitionRequest(
                "q1", RecallQuery.of(List.of(SPACE), Cue.of(Embedding.of(1, 0)), 3), SPACE, Deadline.after(timeout));
    }

    private static PartialResult answer() {
        return new PartialResult(
                SPACE,
                NodeId.of("n1"),
                List.of(Match.of(MemoryId.of("m1"), SPACE, Confidence.of(0.9), "m1")),
                1.0,
                Duration.ZERO);
    }

    /** Answers at once and records the thread of every call. */
    private static class RecordingEngine implements LocalQueryEngine {
        final List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public boolean holds(MemorySpaceId space) {
            return space.equals(SPACE);
        }

        @Override
        public PartialResult execute(PartitionRequest request) {
            threads.add(Thread.currentThread().getName());
            return answer();
        }
    }

    /** Spins until its request's deadline expires (or is cancelled), as the embedded engine's scan loop does. */
    private static final class SpinningEngine extends RecordingEngine {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch stopped = new CountDownLatch(1);

        @Override
        public PartialResult execute(PartitionRequest request) {
            started.countDown();
            while (!request.deadline().isExpired()) {
                Thread.onSpinWait();
            }
            stopped.countDown();
            return super.execute(request);
        }
    }

    /** Waits for {@link #release} in every call, counting how many calls run at the same time. */
    private static final class GatedEngine extends RecordingEngine {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();

        @Override
        public PartialResult execute(PartitionRequest request) {
            int now = running.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            started.countDown();
            try {
                if (!release.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
                Thread.yield();
                return super.execute(request);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } finally {
                running.decrementAndGet();
            }
        }
    }
}
