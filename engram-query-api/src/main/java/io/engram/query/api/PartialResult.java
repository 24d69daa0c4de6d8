package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * What one partition answered.
 *
 * @param space the partition's space
 * @param node the node that answered
 * @param matches its matches, best first
 * @param confidenceAdjustment 1 when the partition answered completely; less when it answered from a truncated scan
 *     (the share scanned) or a lagging replica
 * @param latency how long the partition took
 * @param frontier for a spread: the activation that crossed edges into memories of other spaces, which a distributed
 *     spread continues in a later round; empty otherwise
 * @param seeds for the seed fetch of a distributed imagine ({@link io.engram.query.spi.PartitionTask.SeedFetch}): the
 *     query's seeds this node holds, with their embeddings; empty otherwise
 */
public record PartialResult(
        MemorySpaceId space,
        NodeId node,
        List<Match> matches,
        double confidenceAdjustment,
        Duration latency,
        List<SpreadCrossing> frontier,
        List<SeedEmbedding> seeds) {
    public PartialResult {
        requireNonNull(space, "space is null");
        requireNonNull(node, "node is null");
        matches = List.copyOf(requireNonNull(matches, "matches is null"));
        Query.checkRange("confidence adjustment", confidenceAdjustment, 0.0, 1.0);
        requireNonNull(latency, "latency is null");
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, got " + latency);
        }
        frontier = List.copyOf(requireNonNull(frontier, "frontier is null"));
        seeds = List.copyOf(requireNonNull(seeds, "seeds is null"));
    }

    /** A partial result with no seeds. */
    public PartialResult(
            MemorySpaceId space,
            NodeId node,
            List<Match> matches,
            double confidenceAdjustment,
            Duration latency,
            List<SpreadCrossing> frontier) {
        this(space, node, matches, confidenceAdjustment, latency, frontier, List.of());
    }

    /** A partial result with no spread frontier. */
    public PartialResult(
            MemorySpaceId space, NodeId node, List<Match> matches, double confidenceAdjustment, Duration latency) {
        this(space, node, matches, confidenceAdjustment, latency, List.of(), List.of());
    }

    public PartialResult withLatency(Duration newLatency) {
        return new PartialResult(space, node, matches, confidenceAdjustment, newLatency, frontier, seeds);
    }
}
