package io.engram.query.planner.membership;

import io.engram.query.api.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Nodes running {@link SwimMembership} on one fake clock, messages delivered at once unless the receiver is down
 * (refused), frozen (no answer) or a message is set to be lost. Periods are staggered across each interval.
 */
final class SwimCluster {
    final AtomicLong clock = new AtomicLong();
    final MembershipConfig config;
    final List<NodeId> ids = new ArrayList<>();
    final Map<NodeId, SwimMembership> nodes = new LinkedHashMap<>();
    final Map<NodeId, Set<NodeId>> deadAt = new LinkedHashMap<>();
    /** Every (observer, node) declaration of death ever made, never cleared. */
    final Set<List<NodeId>> declaredDead = new HashSet<>();

    final Set<NodeId> down = new HashSet<>();
    final Set<NodeId> frozen = new HashSet<>();
    /** Direct pings from the first to the second node that are lost, counted down. */
    final Map<List<NodeId>, Integer> lost = new LinkedHashMap<>();

    final Map<NodeId, Set<NodeId>> answeredRecently = new LinkedHashMap<>();
    private final long seed;

    SwimCluster(int size, MembershipConfig config, long seed) {
        this.config = config;
        this.seed = seed;
        for (int i = 1; i <= size; i++) {
            ids.add(NodeId.of("n" + i));
        }
        for (NodeId id : ids) {
            start(id);
        }
    }

    /** (Re)starts {@code id} as a new process: incarnation 0, everyone alive as far as it knows. */
    void start(NodeId id) {
        down.remove(id);
        frozen.remove(id);
        deadAt.put(id, new HashSet<>());
        answeredRecently.put(id, new HashSet<>());
        nodes.put(
                id,
                new SwimMembership(
                        ids,
                        id,
                        config,
                        network(id),
                        new MembershipListener() {
                            @Override
                            public void alive(NodeId node) {
                                deadAt.get(id).remove(node);
                            }

                            @Override
                            public void dead(NodeId node) {
                                deadAt.get(id).add(node);
                                declaredDead.add(List.of(id, node));
                            }
                        },
                        (node, since) -> answeredRecently.get(id).contains(node),
                        clock::get,
                        new Random(seed * 31 + ids.indexOf(id))));
    }

    private MembershipNetwork network(NodeId from) {
        return new MembershipNetwork() {
            @Override
            public CompletableFuture<Ack> ping(NodeId target, Ping ping, Duration timeout) {
                Integer drops = lost.get(List.of(from, target));
                if (drops != null && drops > 0) {
                    lost.put(List.of(from, target), drops - 1);
                    return CompletableFuture.failedFuture(new TimeoutException("lost"));
                }
                if (!reachable(target)) {
                    return CompletableFuture.failedFuture(new TimeoutException("no answer"));
                }
                return CompletableFuture.completedFuture(nodes.get(target).onPing(ping));
            }

            @Override
            public CompletableFuture<Ack> pingRequest(NodeId via, PingRequest request, Duration timeout) {
                if (!reachable(via)) {
                    return CompletableFuture.failedFuture(new TimeoutException("no answer"));
                }
                return nodes.get(via).onPingRequest(request);
            }
        };
    }

    private boolean reachable(NodeId node) {
        return !down.contains(node) && !frozen.contains(node);
    }

    /** Runs {@code periods} protocol periods of every running node, staggered across each interval. */
    void run(int periods) {
        long step = config.interval().toNanos() / ids.size();
        for (int p = 0; p < periods; p++) {
            for (NodeId id : ids) {
                clock.addAndGet(step);
                if (reachable(id)) {
                    nodes.get(id).runPeriod();
                }
            }
        }
    }

    /** Runs periods until {@code done} holds, at most {@code maxPeriods}; the fake time it took. */
    Duration runUntil(java.util.function.BooleanSupplier done, int maxPeriods) {
        long start = clock.get();
        long step = config.interval().toNanos() / ids.size();
        for (int p = 0; p < maxPeriods && !done.getAsBoolean(); p++) {
            for (NodeId id : ids) {
                clock.addAndGet(step);
                if (reachable(id)) {
                    nodes.get(id).runPeriod();
                }
                if (done.getAsBoolean()) {
                    break;
                }
            }
        }
        return Duration.ofNanos(clock.get() - start);
    }

    /** Whether every running node other than {@code node} reports it dead. */
    boolean everyoneReportsDead(NodeId node) {
        return ids.stream()
                .filter(id -> !id.equals(node) && reachable(id))
                .allMatch(id -> deadAt.get(id).contains(node) && nodes.get(id).stateOf(node) == MemberState.DEAD);
    }

    /** Whether any node, at any time so far, declared {@code node} dead. */
    boolean everDeclaredDead(NodeId node) {
        return declaredDead.stream().anyMatch(pair -> pair.get(1).equals(node));
    }

    boolean anyoneReportsDead(NodeId node) {
        return ids.stream()
                .filter(id -> !id.equals(node))
                .anyMatch(id -> deadAt.get(id).contains(node));
    }

    boolean allAlive() {
        for (NodeId id : ids) {
            for (NodeId other : ids) {
                if (!other.equals(id) && nodes.get(id).stateOf(other) != MemberState.ALIVE) {
                    return false;
                }
            }
        }
        return true;
    }

    long requestsSent() {
        return nodes.values().stream().mapToLong(SwimMembership::requestsSent).sum();
    }
}
