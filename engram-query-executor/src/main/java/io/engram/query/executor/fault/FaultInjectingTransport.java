package io.engram.query.executor.fault;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.Transport;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Transport} decorator that drops, delays, fails or hangs chosen calls, for tests, benchmarks and the demo.
 * Rules match a node, optionally one space of it; the first matching rule applies. It also counts calls and the most
 * that were ever in flight at once.
 */
public final class FaultInjectingTransport implements Transport {
    private final Transport delegate;
    private final ScheduledExecutorService scheduler;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final Map<NodeId, AtomicLong> calls = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final SplittableRandom random;

    public FaultInjectingTransport(Transport delegate, ScheduledExecutorService scheduler, long seed) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.scheduler = requireNonNull(scheduler, "scheduler is null");
        this.random = new SplittableRandom(seed);
    }

    /** Applies {@code fault} to every call to {@code node}. */
    public FaultInjectingTransport inject(NodeId node, Fault fault) {
        rules.add(new Rule(node, Optional.empty(), fault, new AtomicInteger()));
        return this;
    }

    /** Applies {@code fault} to calls to {@code node} for {@code space}. */
    public FaultInjectingTransport inject(NodeId node, MemorySpaceId space, Fault fault) {
        rules.add(new Rule(node, Optional.of(space), fault, new AtomicInteger()));
        return this;
    }

    /** Removes every rule. */
    public void heal() {
        rules.clear();
    }

    public long calls(NodeId node) {
        AtomicLong count = calls.get(node);
        return count == null ? 0 : count.get();
    }

    /** Calls started and not yet ended (answered, failed or cancelled). */
    public int inFlight() {
        return inFlight.get();
    }

    public int maxInFlight() {
        return maxInFlight.get();
    }

    @Override
    public CompletableFuture<PartialResult> execute(NodeId node, PartitionRequest request) {
        calls.computeIfAbsent(node, n -> new AtomicLong()).incrementAndGet();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        CompletableFuture<PartialResult> inner = apply(node, request);
        // The call leaves the in-flight count before the caller hears of it, so the count is exact.
        CompletableFuture<PartialResult> result = new CompletableFuture<>();
        inner.whenComplete((r, e) -> {
            inFlight.decrementAndGet();
            if (e != null) {
                result.completeExceptionally(e);
            } else {
                result.complete(r);
            }
        });
        result.whenComplete((r, e) -> {
            if (result.isCancelled()) {
                inner.cancel(true);
            }
        });
        return result;
    }

    private CompletableFuture<PartialResult> apply(NodeId node, PartitionRequest request) {
        for (Rule rule : rules) {
            if (!rule.node.equals(node)
                    || rule.space.filter(s -> !s.equals(request.space())).isPresent()) {
                continue;
            }
            Fault fault = rule.fault;
            if (fault instanceof Fault.Hang) {
                return new CompletableFuture<>();
            }
            if (fault instanceof Fault.Fail fail) {
                return CompletableFuture.failedFuture(fail.failure());
            }
            if (fault instanceof Fault.FailTimes failTimes) {
                if (rule.used.incrementAndGet() <= failTimes.times()) {
                    return CompletableFuture.failedFuture(failTimes.failure());
                }
                continue;
            }
            if (fault instanceof Fault.Delay delay) {
                return delayed(node, request, delay.delay().toNanos());
            }
            if (fault instanceof Fault.RandomDelay randomDelay) {
                boolean slow;
                synchronized (random) {
                    slow = random.nextDouble() < randomDelay.probability();
                }
                if (slow) {
                    return delayed(node, request, randomDelay.delay().toNanos());
                }
            }
        }
        return delegate.execute(node, request);
    }

    private CompletableFuture<PartialResult> delayed(NodeId node, PartitionRequest request, long nanos) {
        CompletableFuture<PartialResult> result = new CompletableFuture<>();
        ScheduledFuture<?> timer = scheduler.schedule(
                () -> delegate.execute(node, request).whenComplete((r, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(r);
                    }
                }),
                nanos,
                TimeUnit.NANOSECONDS);
        result.whenComplete((r, e) -> timer.cancel(false));
        return result;
    }

    @Override
    public void close() {
        delegate.close();
    }

    private record Rule(NodeId node, Optional<MemorySpaceId> space, Fault fault, AtomicInteger used) {}
}
