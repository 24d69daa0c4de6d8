package io.engram.query.spi;

/** How connected the cluster looks from this node. */
public enum ClusterState {
    /** Every known node is reachable. */
    CONNECTED,
    /** Some nodes are unreachable. */
    PARTITIONED,
    /** Nodes that were unreachable are answering again, but not all yet or only recently. */
    HEALING
}
