package io.engram.query.planner.membership;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import io.engram.query.api.Ticker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Failure detection after SWIM (Das, Gupta and Motivala, 2002) for a cluster whose members are configured: no joins,
 * only who is alive.
 *
 * <ul>
 *   <li>Every {@link #runPeriod period} this node probes one peer, taken round robin from a list shuffled at each pass,
 *       so every peer is probed by every node within one pass and the messages per node per period stay constant
 *       whatever the cluster's size. A peer that answered a query call within the last period and has no news to
 *       hear is skipped: query traffic is evidence too.
 *   <li>No ack within the probe timeout: {@code indirectProbes} other peers are asked to probe it. No one reached it:
 *       it becomes {@link MemberState#SUSPECT}, which changes nothing for queries yet.
 *   <li>A suspect that does not refute within the suspicion timeout is declared {@link MemberState#DEAD}.
 *   <li>News travels piggybacked on probes and acks, each piece on about {@code retransmits × log2(n)} messages; a
 *       change (a suspicion, a death, a refutation) is also pushed at once to {@value #PUSH_FANOUT} peers by the node
 *       that makes it and by each node that learns it (a suspicion also to the suspect), so it reaches every node in
 *       milliseconds whatever the cluster's size, while a healthy cluster still sends one probe per node per period.
 *   <li>A node that hears it is suspected or dead raises its incarnation and spreads that it is alive, which overrides
 *       the older news everywhere: one lost probe or a pause shorter than the suspicion timeout evicts no one. A node
 *       that restarted refutes the same way on its first exchange.
 * </ul>
 *
 * <p>Thread-safe: periods, incoming messages and acks may arrive on any thread. It keeps no timer of its own: a
 * suspicion is checked at each period and each message, and the {@link MembershipNetwork} bounds every exchange.
 */
public final class SwimMembership {
    /**
     * How many peers a change (a suspicion, a death, a refutation) is pushed to at once, by the node that makes it and
     * by each node that learns it, so it spreads in milliseconds rather than in periods.
     */
    static final int PUSH_FANOUT = 3;

    private final NodeId self;
    private final MembershipConfig config;
    private final MembershipNetwork network;
    private final MembershipListener listener;
    private final TrafficEvidence evidence;
    private final Ticker ticker;
    private final Random random;
    private final int retransmitLimit;

    private final Map<NodeId, Member> members = new LinkedHashMap<>();
    private final List<NodeId> order = new ArrayList<>();
    private int next;
    private long incarnation;
    /** News still to be carried, at most one piece per node, with how many messages carried it so far. */
    private final Map<NodeId, Queued> news = new HashMap<>();

    private final AtomicLong requestsSent = new AtomicLong();
    private final AtomicLong requestsReceived = new AtomicLong();
    private final AtomicLong probesSkipped = new AtomicLong();

    /**
     * @param nodes every node of the cluster, this one included
     * @param self this node
     * @param random the shuffles and the choice of indirect probers (a seed makes a simulation repeatable)
     */
    public SwimMembership(
            List<NodeId> nodes,
            NodeId self,
            MembershipConfig config,
            MembershipNetwork network,
            MembershipListener listener,
            TrafficEvidence evidence,
            Ticker ticker,
            Random random) {
        requireNonNull(nodes, "nodes is null");
        this.self = requireNonNull(self, "self is null");
        this.config = requireNonNull(config, "config is null");
        this.network = requireNonNull(network, "network is null");
        this.listener = requireNonNull(listener, "listener is null");
        this.evidence = requireNonNull(evidence, "evidence is null");
        this.ticker = requireNonNull(ticker, "ticker is null");
        this.random = requireNonNull(random, "random is null");
        for (NodeId node : nodes) {
            if (!node.equals(self) && members.putIfAbsent(node, new Member()) == null) {
                order.add(node);
            }
        }
        Collections.shuffle(order, random);
        int log2 = 32 - Integer.numberOfLeadingZeros(members.size() + 1);
        this.retransmitLimit = config.retransmits() * Math.max(1, log2);
    }

    public NodeId self() {
        return self;
    }

    public MembershipConfig config() {
        return config;
    }

    /** One protocol period: declares overdue suspects dead, then probes the next peer. Call every interval. */
    public void runPeriod() {
        long now = ticker.nanoTime();
        Changes changes = new Changes();
        NodeId target;
        Ping ping;
        synchronized (this) {
            expireSuspicions(now, changes);
            target = nextTarget(now);
            ping = target == null ? null : new Ping(self, incarnation, gossipFor(target));
        }
        announce(changes);
        if (target == null) {
            return;
        }
        requestsSent.incrementAndGet();
        network.ping(target, ping, config.probeTimeout()).whenComplete((ack, failure) -> {
            if (ack != null) {
                heard(ack);
            } else {
                probeIndirectly(target);
            }
        });
    }

    /** Answers a peer's probe. */
    public Ack onPing(Ping ping) {
        requireNonNull(ping, "ping is null");
        requestsReceived.incrementAndGet();
        heard(ping.from(), ping.incarnation(), ping.gossip());
        synchronized (this) {
            return new Ack(self, incarnation, true, gossipFor(ping.from()));
        }
    }

    /** Probes {@code request.target()} for a peer that could not reach it; the ack says whether it answered. */
    public CompletableFuture<Ack> onPingRequest(PingRequest request) {
        requireNonNull(request, "request is null");
        requestsReceived.incrementAndGet();
        heard(request.from(), request.incarnation(), request.gossip());
        Ping ping;
        synchronized (this) {
            ping = new Ping(self, incarnation, gossipFor(request.target()));
        }
        requestsSent.incrementAndGet();
        return network.ping(request.target(), ping, config.probeTimeout()).handle((ack, failure) -> {
            if (ack != null) {
                heard(ack);
            }
            synchronized (this) {
                return new Ack(self, incarnation, ack != null, gossipFor(request.from()));
            }
        });
    }

    /** What this node believes of {@code node} ({@code ALIVE} for itself and for nodes it does not know). */
    public synchronized MemberState stateOf(NodeId node) {
        Member m = members.get(node);
        return m == null ? MemberState.ALIVE : m.state;
    }

    /** Every peer's state and incarnation, in the configuration's order. */
    public synchronized Map<NodeId, Gossip> view() {
        Map<NodeId, Gossip> view = new LinkedHashMap<>();
        members.forEach((node, m) -> view.put(node, new Gossip(node, m.state, m.incarnation)));
        return view;
    }

    public synchronized long incarnation() {
        return incarnation;
    }

    /** Probes and probe requests this node sent. */
    public long requestsSent() {
        return requestsSent.get();
    }

    /** Probes and probe requests this node answered. */
    public long requestsReceived() {
        return requestsReceived.get();
    }

    /** Periods whose probe was skipped because query traffic had just shown the peer alive. */
    public long probesSkipped() {
        return probesSkipped.get();
    }

    private void probeIndirectly(NodeId target) {
        List<NodeId> helpers;
        PingRequest request;
        synchronized (this) {
            Member m = members.get(target);
            if (m.state == MemberState.DEAD) {
                return; // already known: a dead node is probed only so that it can learn it and refute
            }
            helpers = pickPeers(config.indirectProbes(), target);
            request = new PingRequest(self, incarnation, target, gossipFor(target));
        }
        if (helpers.isEmpty()) {
            suspect(target);
            return;
        }
        AtomicInteger unanswered = new AtomicInteger(helpers.size());
        java.util.concurrent.atomic.AtomicBoolean reached = new java.util.concurrent.atomic.AtomicBoolean();
        java.time.Duration timeout = config.interval().minus(config.probeTimeout());
        for (NodeId helper : helpers) {
            requestsSent.incrementAndGet();
            network.pingRequest(helper, request, timeout).whenComplete((ack, failure) -> {
                if (ack != null) {
                    heard(ack);
                    if (ack.targetReached()) {
                        reached.set(true);
                    }
                }
                if (unanswered.decrementAndGet() == 0 && !reached.get()) {
                    suspect(target);
                }
            });
        }
    }

    private void suspect(NodeId target) {
        Changes changes = new Changes();
        synchronized (this) {
            Member m = members.get(target);
            if (m.state != MemberState.ALIVE) {
                return;
            }
            m.state = MemberState.SUSPECT;
            m.suspectedAtNanos = ticker.nanoTime();
            Gossip news = new Gossip(target, MemberState.SUSPECT, m.incarnation);
            spread(news);
            changes.pushed.add(news);
        }
        announce(changes);
    }

    /**
     * Tells the listener, and pushes each change to a few peers at once (a suspicion also to the suspect itself: if it
     * is alive after all, a lost probe say, it refutes at once) rather than waiting for the next periods to carry it.
     */
    private void announce(Changes changes) {
        changes.alive.forEach(listener::alive);
        changes.died.forEach(listener::dead);
        for (Gossip news : changes.pushed) {
            List<NodeId> peers;
            synchronized (this) {
                peers = new ArrayList<>(pickPeers(PUSH_FANOUT, news.node()));
            }
            if (news.state() == MemberState.SUSPECT) {
                peers.add(news.node());
            }
            for (NodeId peer : peers) {
                Ping ping;
                synchronized (this) {
                    ping = new Ping(self, incarnation, gossipFor(peer));
                }
                requestsSent.incrementAndGet();
                network.ping(peer, ping, config.probeTimeout()).whenComplete((ack, failure) -> {
                    if (ack != null) {
                        heard(ack);
                    }
                });
            }
        }
    }

    private void heard(Ack ack) {
        heard(ack.from(), ack.incarnation(), ack.gossip());
    }

    /** A message from {@code from}: direct evidence that it lives, and its news. */
    private void heard(NodeId from, long fromIncarnation, List<Gossip> gossip) {
        Changes changes = new Changes();
        synchronized (this) {
            long now = ticker.nanoTime();
            for (Gossip g : gossip) {
                merge(g, now, changes);
            }
            Member sender = members.get(from);
            if (sender != null) {
                merge(new Gossip(from, MemberState.ALIVE, fromIncarnation), now, changes);
                if (sender.state != MemberState.DEAD && !changes.alive.contains(from)) {
                    changes.alive.add(from);
                }
            }
            expireSuspicions(now, changes);
        }
        announce(changes);
    }

    private void merge(Gossip g, long now, Changes changes) {
        if (g.node().equals(self)) {
            if (g.state() != MemberState.ALIVE && g.incarnation() >= incarnation) {
                incarnation = g.incarnation() + 1;
                Gossip refutation = new Gossip(self, MemberState.ALIVE, incarnation);
                spread(refutation);
                changes.pushed.add(refutation);
            }
            return;
        }
        Member m = members.get(g.node());
        if (m == null || !g.overrides(m.state, m.incarnation)) {
            return; // a node the configuration does not name, or old news
        }
        MemberState before = m.state;
        m.state = g.state();
        m.incarnation = g.incarnation();
        if (g.state() == MemberState.SUSPECT && before != MemberState.SUSPECT) {
            m.suspectedAtNanos = now;
        }
        spread(g);
        if (g.state() != before) {
            changes.pushed.add(g);
        }
        if (g.state() == MemberState.DEAD && before != MemberState.DEAD) {
            changes.died.add(g.node());
        } else if (g.state() == MemberState.ALIVE && before != MemberState.ALIVE) {
            changes.alive.add(g.node());
        }
    }

    private void expireSuspicions(long now, Changes changes) {
        long timeout = config.suspicionTimeout().toNanos();
        members.forEach((node, m) -> {
            if (m.state == MemberState.SUSPECT && now - m.suspectedAtNanos >= timeout) {
                m.state = MemberState.DEAD;
                Gossip news = new Gossip(node, MemberState.DEAD, m.incarnation);
                spread(news);
                changes.died.add(node);
                changes.pushed.add(news);
            }
        });
    }

    /** What one step changed, acted on once the lock is released. */
    private static final class Changes {
        final List<NodeId> alive = new ArrayList<>();
        final List<NodeId> died = new ArrayList<>();
        final List<Gossip> pushed = new ArrayList<>();
    }

    private NodeId nextTarget(long now) {
        long since = now - config.interval().toNanos();
        for (int tried = 0; tried < order.size(); tried++) {
            if (next >= order.size()) {
                Collections.shuffle(order, random);
                next = 0;
            }
            NodeId candidate = order.get(next++);
            Member m = members.get(candidate);
            if (m.state == MemberState.ALIVE && news.isEmpty() && evidence.answeredSince(candidate, since)) {
                probesSkipped.incrementAndGet();
                continue;
            }
            return candidate;
        }
        return null;
    }

    /** Up to {@code count} random peers other than {@code except} that are not dead. */
    private List<NodeId> pickPeers(int count, NodeId except) {
        List<NodeId> candidates = new ArrayList<>();
        members.forEach((node, m) -> {
            if (!node.equals(except) && m.state != MemberState.DEAD) {
                candidates.add(node);
            }
        });
        Collections.shuffle(candidates, random);
        return candidates.subList(0, Math.min(count, candidates.size()));
    }

    private void spread(Gossip g) {
        news.put(g.node(), new Queued(g));
    }

    /**
     * The news for a message to {@code to}: what this node believes of {@code to} when that is not "alive" (so it can
     * refute), then the pieces carried least so far.
     */
    private List<Gossip> gossipFor(NodeId to) {
        List<Gossip> out = new ArrayList<>();
        Member about = members.get(to);
        if (about != null && about.state != MemberState.ALIVE) {
            out.add(new Gossip(to, about.state, about.incarnation));
        }
        if (news.isEmpty()) {
            return out;
        }
        List<Queued> queued = new ArrayList<>(news.values());
        queued.sort(Comparator.comparingInt(q -> q.carried));
        for (Queued q : queued) {
            if (out.size() >= config.maxGossipPerMessage()) {
                break;
            }
            if (q.gossip.node().equals(to)
                    && !out.isEmpty()
                    && out.get(0).node().equals(to)) {
                continue;
            }
            out.add(q.gossip);
            if (++q.carried >= retransmitLimit) {
                news.remove(q.gossip.node());
            }
        }
        return out;
    }

    private static final class Member {
        MemberState state = MemberState.ALIVE;
        long incarnation;
        long suspectedAtNanos;
    }

    private static final class Queued {
        final Gossip gossip;
        int carried;

        Queued(Gossip gossip) {
            this.gossip = gossip;
        }
    }
}
