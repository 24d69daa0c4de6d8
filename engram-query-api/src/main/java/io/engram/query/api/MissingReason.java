package io.engram.query.api;

/** Why a partition did not contribute to an answer. */
public enum MissingReason {
    /** No copy answered before the deadline. */
    TIMEOUT,
    /** No copy was reachable: the planner knew every copy was down, or every connection was refused. */
    UNREACHABLE,
    /** Every copy tried failed (an error, a malformed answer). */
    FAILED,
    /** The partition refused the request as invalid; retrying elsewhere would not help. */
    REJECTED
}
