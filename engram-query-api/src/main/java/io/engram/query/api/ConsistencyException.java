package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.util.stream.Collectors;

/** A query whose consistency policy was not met. Names every missing partition and why. */
public final class ConsistencyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String policy;
    private final transient Coverage coverage;

    public ConsistencyException(String policy, Coverage coverage) {
        super(message(policy, coverage), null, false, false);
        this.policy = requireNonNull(policy, "policy is null");
        this.coverage = requireNonNull(coverage, "coverage is null");
    }

    private static String message(String policy, Coverage coverage) {
        return "consistency '" + policy + "' not met: " + coverage.respondingPartitions() + " of "
                + coverage.expectedPartitions() + " partitions responded; missing: "
                + coverage.missing().stream().map(MissingPartition::toString).collect(Collectors.joining(", "));
    }

    public String policy() {
        return policy;
    }

    public Coverage coverage() {
        return coverage;
    }
}
