package io.engram.query.benchmarks.executor;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Match;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.Transport;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Transport} to simulated nodes that answer after a base latency drawn uniformly from
 * {@code [base − jitter, base + jitter]}, on a timer (no thread sleeps), with fixed matches. Cancelling a call
 * cancels its timer. It counts the calls it was sent.
 */
final class SimulatedLatencyTransport implements Transport {
    private final ScheduledExecutorService timer;
    private final long minNanos;
    private final long spreadNanos;
    private final AtomicLong calls = new AtomicLong();
    private final Map<MemorySpaceId, List<Match>> matches = new ConcurrentHashMap<>();

    SimulatedLatencyTransport(ScheduledExecutorService timer, Duration base, Duration jitter) {
        this.timer = requireNonNull(timer, "timer is null");
        requireNonNull(base, "base is null");
        requireNonNull(jitter, "jitter is null");
        if (jitter.compareTo(base) > 0 || jitter.isNegative()) {
            throw new IllegalArgumentException("jitter must be in [0, base " + base + "], got " + jitter);
        }
        this.minNanos = base.minus(jitter).toNanos();
        this.spreadNanos = jitter.toNanos() * 2;
    }

    long calls() {
        return calls.get();
    }

    @Override
    public CompletableFuture<PartialResult> execute(NodeId node, PartitionRequest request) {
        calls.incrementAndGet();
        MemorySpaceId space = request.space();
        PartialResult answer = new PartialResult(
                space, node, matches.computeIfAbsent(space, InstantTransport::fixedMatches), 1.0, Duration.ZERO);
        long delay =
                minNanos + (spreadNanos == 0 ? 0 : ThreadLocalRandom.current().nextLong(spreadNanos + 1));
        CompletableFuture<PartialResult> result = new CompletableFuture<>();
        ScheduledFuture<?> pending = timer.schedule(() -> result.complete(answer), delay, TimeUnit.NANOSECONDS);
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                pending.cancel(false);
            }
        });
        return result;
    }
}
