package io.engram.query.spi;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Deadline;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.Query;

/**
 * One partition's share of a query: the query, the one space to read, and the query's deadline.
 *
 * @param queryId correlates the calls of one query in logs
 * @param query the whole query (its limit applies to this partition)
 * @param space the space this partition reads
 * @param deadline the query's deadline; a remote node fixes its own from the remaining time
 */
public record PartitionRequest(String queryId, Query query, MemorySpaceId space, Deadline deadline) {
    public PartitionRequest {
        requireNonNull(queryId, "query id is null");
        requireNonNull(query, "query is null");
        requireNonNull(space, "space is null");
        requireNonNull(deadline, "deadline is null");
    }
}
