package io.engram.query.benchmarks.membership;

import io.engram.query.api.NodeId;
import io.engram.query.planner.membership.Ack;
import io.engram.query.planner.membership.MemberState;
import io.engram.query.planner.membership.MembershipConfig;
import io.engram.query.planner.membership.MembershipListener;
import io.engram.query.planner.membership.MembershipNetwork;
import io.engram.query.planner.membership.Ping;
import io.engram.query.planner.membership.PingRequest;
import io.engram.query.planner.membership.SwimMembership;
import io.engram.query.planner.membership.TrafficEvidence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * The peer-health protocol ({@link SwimMembership}, the code the nodes run) on many simulated nodes in one JVM: a
 * discrete-event simulation on a virtual clock, each message delivered after a one-way latency drawn from a model,
 * lost with a given probability, never answered by a node that is down or paused. It measures, for one cluster size:
 *
 * <ul>
 *   <li>the probes and probe requests each node sends per second of a healthy cluster (acks are their answers);
 *   <li>after a node dies (five, one after another; the median and the worst): when the first peer suspects it,
 *       and when every peer has declared it dead;
 *   <li>after one node is paused for less than the suspicion timeout: when the last peer stops suspecting it, and
 *       whether any declared it dead.
 * </ul>
 *
 * Virtual time makes 1,000 nodes cheap and the figures independent of the machine's load.
 */
public final class MembershipSimulation {
    /** One-way latency: a base and an exponential tail, in nanoseconds. */
    private static final long BASE_LATENCY_NANOS = 200_000;

    private static final long LATENCY_TAIL_NANOS = 300_000;
    /** Nodes killed one after another; the times reported are the median, and the worst, over them. */
    static final int VICTIMS = 5;

    private final MembershipConfig config;
    private final List<NodeId> ids = new ArrayList<>();
    private final Map<NodeId, SwimMembership> nodes = new LinkedHashMap<>();
    private final Map<NodeId, Set<NodeId>> declaredDead = new LinkedHashMap<>();
    private final Set<NodeId> silent = new HashSet<>();
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final Random random;
    private final double lossProbability;
    private long now;
    private long sequence;

    /** What one cluster size measured. */
    public record Result(
            int nodes,
            double requestsPerSecondPerNode,
            double answersPerSecondPerNode,
            long firstSuspicionMs,
            long allDeclaredDeadMs,
            long allDeclaredDeadMaxMs,
            long pausedClearedMs,
            boolean pausedEvicted,
            long falseDeaths) {}

    private record Event(long at, long sequence, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(sequence, o.sequence);
        }
    }

    MembershipSimulation(int size, MembershipConfig config, double lossProbability, long seed) {
        this.config = config;
        this.lossProbability = lossProbability;
        this.random = new Random(seed);
        for (int i = 1; i <= size; i++) {
            ids.add(NodeId.of("n" + i));
        }
        for (NodeId id : ids) {
            declaredDead.put(id, new HashSet<>());
            nodes.put(
                    id,
                    new SwimMembership(
                            ids,
                            id,
                            config,
                            network(id),
                            listener(id),
                            TrafficEvidence.NONE,
                            () -> now,
                            new Random(random.nextLong())));
        }
        long interval = config.interval().toNanos();
        for (NodeId id : ids) {
            schedulePeriod(id, (long) (random.nextDouble() * interval));
        }
    }

    /** Measures one cluster size: a healthy minute (virtual), a death, a pause. */
    public static Result measure(int size, MembershipConfig config, double lossProbability, long seed) {
        if (size < 3) {
            throw new IllegalArgumentException(
                    "the simulation needs at least 3 nodes (one dies, one pauses, one watches), got " + size);
        }
        // at least one node neither killed nor paused, so that someone watches
        int victimCount = Math.min(VICTIMS, size - 2);
        MembershipSimulation sim = new MembershipSimulation(size, config, lossProbability, seed);
        long second = 1_000_000_000L;
        sim.runFor(5 * second); // every node through its first passes
        long sentBefore = sim.requestsSent();
        long answeredBefore = sim.requestsAnswered();
        long healthyNanos = 30 * second;
        sim.runFor(healthyNanos);
        double perNode = (double) size * healthyNanos / second;
        double requests = (sim.requestsSent() - sentBefore) / perNode;
        double answers = (sim.requestsAnswered() - answeredBefore) / perNode;
        long falseDeaths = sim.deathDeclarations();

        // nodes die one after another (stop answering, as killed processes behind a silent network)
        List<Long> firstSuspicions = new ArrayList<>();
        List<Long> allDeadTimes = new ArrayList<>();
        List<NodeId> victims = new ArrayList<>();
        for (int k = 0; k < victimCount; k++) {
            NodeId victim;
            do {
                victim = sim.ids.get(sim.random.nextInt(size));
            } while (victims.contains(victim));
            victims.add(victim);
            sim.silent.add(victim);
            long diedAt = sim.now;
            long firstSuspicion = -1;
            long allDead = -1;
            long limit = diedAt + 120 * second;
            while (sim.now < limit && allDead < 0) {
                sim.runFor(10_000_000L);
                if (firstSuspicion < 0 && sim.anyoneSuspects(victim)) {
                    firstSuspicion = sim.now - diedAt;
                }
                if (sim.everyoneDeclaredDead(victim)) {
                    allDead = sim.now - diedAt;
                }
            }
            firstSuspicions.add(firstSuspicion);
            allDeadTimes.add(allDead < 0 ? Long.MAX_VALUE : allDead);
        }
        java.util.Collections.sort(firstSuspicions);
        java.util.Collections.sort(allDeadTimes);
        long firstSuspicion = firstSuspicions.get(victimCount / 2);
        long allDead = allDeadTimes.get(victimCount / 2);
        long allDeadMax = allDeadTimes.get(victimCount - 1);

        // another node pauses for 40% of the suspicion timeout, then answers again
        NodeId paused;
        do {
            paused = sim.ids.get(sim.random.nextInt(size));
        } while (victims.contains(paused));
        long deathsBefore = sim.declarationsOf(paused);
        sim.silent.add(paused);
        sim.runFor(config.suspicionTimeout().toNanos() * 2 / 5);
        sim.silent.remove(paused);
        long resumedAt = sim.now;
        long cleared = -1;
        long limit = resumedAt + 60 * second;
        while (sim.now < limit && cleared < 0) {
            sim.runFor(10_000_000L);
            if (!sim.anyoneSuspects(paused)) {
                cleared = sim.now - resumedAt;
            }
        }
        boolean evicted = sim.declarationsOf(paused) > deathsBefore;
        return new Result(
                size,
                requests,
                answers,
                millis(firstSuspicion),
                millis(allDead),
                millis(allDeadMax == Long.MAX_VALUE ? -1 : allDeadMax),
                millis(cleared),
                evicted,
                falseDeaths);
    }

    private static long millis(long nanos) {
        return nanos < 0 ? -1 : Math.round(nanos / 1e6);
    }

    private MembershipListener listener(NodeId id) {
        return new MembershipListener() {
            @Override
            public void alive(NodeId node) {}

            @Override
            public void dead(NodeId node) {
                declaredDead.get(id).add(node);
                deaths++;
            }
        };
    }

    private long deaths;

    private long deathDeclarations() {
        return deaths;
    }

    private long declarationsOf(NodeId node) {
        return declaredDead.values().stream().filter(s -> s.contains(node)).count();
    }

    private boolean anyoneSuspects(NodeId node) {
        for (NodeId id : ids) {
            if (!id.equals(node) && !silent.contains(id) && nodes.get(id).stateOf(node) != MemberState.ALIVE) {
                return true;
            }
        }
        return false;
    }

    private boolean everyoneDeclaredDead(NodeId node) {
        for (NodeId id : ids) {
            if (!id.equals(node) && !silent.contains(id) && nodes.get(id).stateOf(node) != MemberState.DEAD) {
                return false;
            }
        }
        return true;
    }

    private long requestsSent() {
        return nodes.values().stream().mapToLong(SwimMembership::requestsSent).sum();
    }

    private long requestsAnswered() {
        return nodes.values().stream()
                .mapToLong(SwimMembership::requestsReceived)
                .sum();
    }

    private void runFor(long nanos) {
        long end = now + nanos;
        while (!events.isEmpty() && events.peek().at() <= end) {
            Event e = events.poll();
            now = e.at();
            e.action().run();
        }
        now = end;
    }

    private void at(long time, Runnable action) {
        events.add(new Event(time, sequence++, action));
    }

    private void schedulePeriod(NodeId id, long delay) {
        at(now + delay, () -> {
            if (!silent.contains(id)) {
                nodes.get(id).runPeriod();
            }
            schedulePeriod(id, config.interval().toNanos());
        });
    }

    private long latency() {
        return BASE_LATENCY_NANOS + (long) (-Math.log(1 - random.nextDouble()) * LATENCY_TAIL_NANOS);
    }

    private boolean lost() {
        return lossProbability > 0 && random.nextDouble() < lossProbability;
    }

    private MembershipNetwork network(NodeId from) {
        return new MembershipNetwork() {
            @Override
            public CompletableFuture<Ack> ping(NodeId target, Ping ping, Duration timeout) {
                return exchange(
                        target,
                        timeout,
                        () -> CompletableFuture.completedFuture(
                                nodes.get(target).onPing(ping)));
            }

            @Override
            public CompletableFuture<Ack> pingRequest(NodeId via, PingRequest request, Duration timeout) {
                return exchange(via, timeout, () -> nodes.get(via).onPingRequest(request));
            }
        };
    }

    /**
     * The request reaches {@code to} after a latency (unless lost or {@code to} is silent), its answer comes back after
     * another; whatever has not come back by {@code timeout} fails.
     */
    private CompletableFuture<Ack> exchange(
            NodeId to, Duration timeout, java.util.function.Supplier<CompletableFuture<Ack>> serve) {
        CompletableFuture<Ack> result = new CompletableFuture<>();
        at(now + timeout.toNanos(), () -> result.completeExceptionally(new TimeoutException("no answer")));
        if (lost()) {
            return result;
        }
        at(now + latency(), () -> {
            if (silent.contains(to)) {
                return;
            }
            serve.get().whenComplete((ack, failure) -> {
                if (ack != null && !lost()) {
                    at(now + latency(), () -> result.complete(ack));
                }
            });
        });
        return result;
    }

    /** Usage: {@code MembershipSimulation [nodes ...]}: prints one line per size. */
    public static void main(String[] args) {
        List<Integer> sizes = new ArrayList<>();
        for (String a : args) {
            sizes.add(Integer.parseInt(a));
        }
        if (sizes.isEmpty()) {
            sizes = List.of(10, 100, 1000);
        }
        for (int size : sizes) {
            long start = System.nanoTime();
            Result r = measure(size, MembershipConfig.defaults(), 0.0, 42);
            Result lossy = measure(size, MembershipConfig.defaults(), 0.01, 43);
            System.out.printf(
                    java.util.Locale.ROOT,
                    "%,6d nodes: %.2f requests/s and %.2f answers/s per node; dead: first suspected %d ms, all %d ms"
                            + " (worst %d ms);"
                            + " paused %.1f s: cleared %d ms, evicted %s; 1%% loss: %.2f req/s, all dead %d ms,"
                            + " false deaths %d (%.1f s wall)%n",
                    size,
                    r.requestsPerSecondPerNode(),
                    r.answersPerSecondPerNode(),
                    r.firstSuspicionMs(),
                    r.allDeclaredDeadMs(),
                    r.allDeclaredDeadMaxMs(),
                    MembershipConfig.defaults().suspicionTimeout().toMillis() * 0.4 / 1000,
                    r.pausedClearedMs(),
                    r.pausedEvicted(),
                    lossy.requestsPerSecondPerNode(),
                    lossy.allDeclaredDeadMs(),
                    lossy.falseDeaths(),
                    (System.nanoTime() - start) / 1e9);
        }
    }
}
