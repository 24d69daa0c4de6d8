package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How one partition of a query went, for the caller's diagnosis.
 *
 * @param space the partition's space
 * @param node the node that answered, or the last one tried
 * @param status OK or why it is missing
 * @param latency from the first attempt to the outcome
 * @param attempts calls made for this partition (retries, failovers and hedges included)
 * @param hedged whether a hedged call was sent
 * @param confidenceAdjustment the partition's adjustment when OK, else 0
 */
public record PartitionOutcome(
        MemorySpaceId space,
        Optional<NodeId> node,
        PartitionStatus status,
        Duration latency,
        int attempts,
        boolean hedged,
        double confidenceAdjustment) {
    public PartitionOutcome {
        requireNonNull(space, "space is null");
        requireNonNull(node, "node is null");
        requireNonNull(status, "status is null");
        requireNonNull(latency, "latency is null");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, got " + latency);
        }
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must be >= 0, got " + attempts);
        }
        Query.checkRange("confidence adjustment", confidenceAdjustment, 0.0, 1.0);
        if (status != PartitionStatus.OK && confidenceAdjustment != 0.0) {
            throw new IllegalArgumentException(
                    "confidence adjustment must be 0 when status is " + status + ", got " + confidenceAdjustment);
        }
    }
}
