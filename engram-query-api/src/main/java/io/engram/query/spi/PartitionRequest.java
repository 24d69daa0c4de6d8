package io.engram.query.spi;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Deadline;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.Query;

/**
 * One partition's share of a query: what to do ({@link PartitionTask}), in which space, by when.
 *
 * @param queryId correlates the calls of one query in logs
 * @param space the space this partition reads
 * @param deadline the query's deadline; a remote node fixes its own from the remaining time
 * @param task the work, one record per kind
 */
public record PartitionRequest(String queryId, MemorySpaceId space, Deadline deadline, PartitionTask task) {
    public PartitionRequest {
        requireNonNull(queryId, "query id is null");
        requireNonNull(space, "space is null");
        requireNonNull(deadline, "deadline is null");
        requireNonNull(task, "task is null");
    }

    /** The task a query needs when nothing is distributed about it ({@link PartitionTask#of}). */
    public PartitionRequest(String queryId, Query query, MemorySpaceId space, Deadline deadline) {
        this(queryId, space, deadline, PartitionTask.of(requireNonNull(query, "query is null")));
    }

    /** The client's query the task serves. */
    public Query query() {
        return task.query();
    }
}
