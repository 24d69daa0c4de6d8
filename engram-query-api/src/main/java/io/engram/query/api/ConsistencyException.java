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
        this.policy = policy;
        this.coverage = coverage;
    }

    private static String message(String policy, Coverage coverage) {
        requireNonNull(policy, "policy is null");
        requireNonNull(coverage, "coverage is null");
        String head = "consistency '" + policy + "' not met: " + coverage.respondingPartitions() + " of "
                + coverage.expectedPartitions() + " partitions responded";
        if (coverage.missing().isEmpty()) {
            // Every partition answered, but some only partly (a truncated scan, a lagging replica).
            return head + "; coverage ratio " + coverage.ratio();
        }
        return head + "; missing: "
                + coverage.missing().stream().map(MissingPartition::toString).collect(Collectors.joining(", "));
    }

    public String policy() {
        return policy;
    }

    public Coverage coverage() {
        return coverage;
    }
}
