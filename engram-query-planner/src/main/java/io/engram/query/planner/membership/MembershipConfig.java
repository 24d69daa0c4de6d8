package io.engram.query.planner.membership;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * The membership protocol's timing.
 *
 * @param interval the protocol period: each period a node probes one peer ({@code cluster.probe_interval_ms})
 * @param probeTimeout how long a direct probe waits for its ack before {@code indirectProbes} peers are asked to try,
 *     less than {@code interval} ({@code cluster.probe_timeout_ms})
 * @param indirectProbes how many peers are asked to probe a node that did not answer directly, in [0, 16]
 *     ({@code cluster.indirect_probes})
 * @param suspicionTimeout how long a suspected node has to refute the suspicion before it is declared dead
 *     ({@code cluster.suspicion_timeout_ms})
 * @param retransmits how many messages carry each piece of news, times log2 of the cluster size, in [1, 16]
 * @param maxGossipPerMessage the most pieces of news one message carries, in [1, 1024]
 */
public record MembershipConfig(
        Duration interval,
        Duration probeTimeout,
        int indirectProbes,
        Duration suspicionTimeout,
        int retransmits,
        int maxGossipPerMessage) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(1000);
    public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofMillis(300);
    public static final int DEFAULT_INDIRECT_PROBES = 3;
    public static final Duration DEFAULT_SUSPICION_TIMEOUT = Duration.ofMillis(2000);
    public static final int DEFAULT_RETRANSMITS = 3;
    public static final int DEFAULT_MAX_GOSSIP = 16;

    public MembershipConfig {
        requireNonNull(interval, "interval is null");
        requireNonNull(probeTimeout, "probe timeout is null");
        requireNonNull(suspicionTimeout, "suspicion timeout is null");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
        if (probeTimeout.isNegative() || probeTimeout.isZero() || probeTimeout.compareTo(interval) >= 0) {
            throw new IllegalArgumentException("probe timeout must be positive and less than the interval ("
                    + interval.toMillis() + " ms), got " + probeTimeout.toMillis() + " ms");
        }
        if (indirectProbes < 0 || indirectProbes > 16) {
            throw new IllegalArgumentException("indirect probes must be in [0, 16], got " + indirectProbes);
        }
        if (suspicionTimeout.isNegative() || suspicionTimeout.isZero()) {
            throw new IllegalArgumentException("suspicion timeout must be positive, got " + suspicionTimeout);
        }
        if (retransmits < 1 || retransmits > 16) {
            throw new IllegalArgumentException("retransmits must be in [1, 16], got " + retransmits);
        }
        if (maxGossipPerMessage < 1 || maxGossipPerMessage > 1024) {
            throw new IllegalArgumentException(
                    "max gossip per message must be in [1, 1024], got " + maxGossipPerMessage);
        }
    }

    /** The defaults: 1 s period, 300 ms probe timeout, 3 indirect probes, 2 s suspicion. */
    public static MembershipConfig defaults() {
        return of(DEFAULT_INTERVAL, DEFAULT_PROBE_TIMEOUT, DEFAULT_INDIRECT_PROBES, DEFAULT_SUSPICION_TIMEOUT);
    }

    public static MembershipConfig of(
            Duration interval, Duration probeTimeout, int indirectProbes, Duration suspicionTimeout) {
        return new MembershipConfig(
                interval, probeTimeout, indirectProbes, suspicionTimeout, DEFAULT_RETRANSMITS, DEFAULT_MAX_GOSSIP);
    }

    /**
     * About how long after a node dies until every peer reports it dead: until one peer probes it (the others' round
     * robins reach it within about two periods in a small cluster), the indirect probes, the suspicion, and the news
     * spreading (a handful of periods; news of a death is also pushed at once).
     */
    public Duration expectedDetection() {
        return interval.multipliedBy(3).plus(suspicionTimeout);
    }
}
