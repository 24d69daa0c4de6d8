package io.engram.query.api;

/** The outcome of one partition of a query. */
public enum PartitionStatus {
    OK,
    TIMEOUT,
    UNREACHABLE,
    FAILED,
    REJECTED;

    public static PartitionStatus of(MissingReason reason) {
        return valueOf(reason.name());
    }
}
