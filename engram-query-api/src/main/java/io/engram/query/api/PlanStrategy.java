package io.engram.query.api;

/** The shape of a query plan. */
public enum PlanStrategy {
    /** One space, one target. */
    SINGLE_PARTITION,
    /** Several named spaces, one target each. */
    MULTI_PARTITION,
    /** No space named: every space in the directory. */
    BROADCAST
}
