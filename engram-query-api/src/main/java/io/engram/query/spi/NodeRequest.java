package io.engram.query.spi;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemorySpaceId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every partition one node serves for one round of one query, sent as one node-to-node request (execution model v2):
 * a node holding several of the query's spaces gets one exchange, not one per space. The answer still reports an
 * outcome per space ({@link PartitionReply}).
 *
 * @param queryId correlates the calls of one query in logs
 * @param partitions one request per space, at least one, each space once, all of {@code queryId}
 * @param reduceTo when positive, the node may keep only the best {@code reduceTo} matches over all its partitions
 *     before answering (node-side partial reduce; exact when the query's merge policy keeps the best match); 0 keeps
 *     each partition's own answer
 */
public record NodeRequest(String queryId, List<PartitionRequest> partitions, int reduceTo) {
    public NodeRequest {
        requireNonNull(queryId, "query id is null");
        partitions = List.copyOf(requireNonNull(partitions, "partitions is null"));
        if (partitions.isEmpty()) {
            throw new IllegalArgumentException("a node request needs at least one partition");
        }
        Set<MemorySpaceId> spaces = new HashSet<>();
        for (PartitionRequest partition : partitions) {
            if (!partition.queryId().equals(queryId)) {
                throw new IllegalArgumentException("partition of query '" + partition.queryId()
                        + "' in a node request of query '" + queryId + "'");
            }
            if (!spaces.add(partition.space())) {
                throw new IllegalArgumentException("space '" + partition.space() + "' twice in one node request");
            }
        }
        if (reduceTo < 0) {
            throw new IllegalArgumentException("reduce to must be 0 or more, got " + reduceTo);
        }
    }

    /**
     * The time left before the latest deadline of its partitions, in nanoseconds; 0 once every one has passed. A
     * transport bounds the whole exchange by it.
     */
    public long remainingNanos() {
        long remaining = 0;
        for (PartitionRequest partition : partitions) {
            remaining = Math.max(remaining, partition.deadline().remainingNanos());
        }
        return remaining;
    }

    /** {@code space 's1'} or {@code spaces 's1', 's2'}, for messages. */
    public String describeSpaces() {
        if (partitions.size() == 1) {
            return "space '" + partitions.get(0).space() + "'";
        }
        StringBuilder out = new StringBuilder("spaces ");
        for (int i = 0; i < partitions.size(); i++) {
            out.append(i == 0 ? "" : ", ")
                    .append('\'')
                    .append(partitions.get(i).space())
                    .append('\'');
        }
        return out.toString();
    }
}
