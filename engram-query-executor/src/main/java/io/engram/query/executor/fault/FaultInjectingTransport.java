package io.engram.query.executor.fault;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
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
import java.util.function.Predicate;
import java.util.function.Supplier;

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
    private volatile boolean batching;

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

    /**
     * Whether calls go out as node requests ({@link Transport#executeAll}) when the delegate batches: then a call is
     * one exchange, and a rule for a space applies to the exchange carrying it. Off by default.
     */
    public FaultInjectingTransport batching(boolean on) {
        this.batching = on;
        return this;
    }

    @Override
    public boolean batches() {
        return batching && delegate.batches();
    }

    @Override
    public CompletableFuture<PartialResult> execute(NodeId node, PartitionRequest request) {
        return counted(
                node,
                rule -> rule.space.isEmpty() || rule.space.get().equals(request.space()),
                () -> delegate.execute(node, request));
    }

    @Override
    public CompletableFuture<List<PartitionReply>> executeAll(NodeId node, NodeRequest request) {
        return counted(
                node,
                rule -> rule.space.isEmpty()
                        || request.partitions().stream().anyMatch(p -> p.space().equals(rule.space.get())),
                () -> delegate.executeAll(node, request));
    }

    private <T> CompletableFuture<T> counted(NodeId node, Predicate<Rule> covers, Supplier<CompletableFuture<T>> call) {
        calls.computeIfAbsent(node, n -> new AtomicLong()).incrementAndGet();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        CompletableFuture<T> inner = apply(node, covers, call);
        // The call leaves the in-flight count before the caller hears of it, so the count is exact.
        CompletableFuture<T> result = new CompletableFuture<>();
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

    private <T> CompletableFuture<T> apply(NodeId node, Predicate<Rule> covers, Supplier<CompletableFuture<T>> call) {
        for (Rule rule : rules) {
            if (!rule.node.equals(node) || !covers.test(rule)) {
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
                return delayed(call, delay.delay().toNanos());
            }
            if (fault instanceof Fault.RandomDelay randomDelay) {
                boolean slow;
                synchronized (random) {
                    slow = random.nextDouble() < randomDelay.probability();
                }
                if (slow) {
                    return delayed(call, randomDelay.delay().toNanos());
                }
            }
        }
        return call.get();
    }

    private <T> CompletableFuture<T> delayed(Supplier<CompletableFuture<T>> call, long nanos) {
        CompletableFuture<T> result = new CompletableFuture<>();
        ScheduledFuture<?> timer = scheduler.schedule(
                () -> call.get().whenComplete((r, e) -> {
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
