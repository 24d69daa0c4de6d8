package io.engram.query.spi;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.Query;
import io.engram.query.api.SpreadQuery;
import java.util.List;
import java.util.Optional;

/**
 * One partition's share of a query: the query, the one space to read, and the query's deadline.
 *
 * @param queryId correlates the calls of one query in logs
 * @param query the whole query (its limit applies to this partition)
 * @param space the space this partition reads
 * @param deadline the query's deadline; a remote node fixes its own from the remaining time
 * @param spreadStarts for one round of a distributed spread: the activations to spread from in this space, used
 *     instead of the query's seeds; empty for every other request (and for a spread's first round, which starts from
 *     the seeds)
 * @param seedsOnly for the first phase of a distributed imagine: the partition returns the query's seeds it holds
 *     (in any space of its node) with their embeddings, in {@code PartialResult#seeds()}, and recalls nothing
 * @param imagineCue for the second phase of a distributed imagine: the cue the coordinator blended from every seed
 *     found, recalled instead of a blend of the seeds this node holds; empty for every other request
 */
public record PartitionRequest(
        String queryId,
        Query query,
        MemorySpaceId space,
        Deadline deadline,
        List<SpreadStart> spreadStarts,
        boolean seedsOnly,
        Optional<Embedding> imagineCue) {
    public PartitionRequest {
        requireNonNull(queryId, "query id is null");
        requireNonNull(query, "query is null");
        requireNonNull(space, "space is null");
        requireNonNull(deadline, "deadline is null");
        spreadStarts = List.copyOf(requireNonNull(spreadStarts, "spread starts is null"));
        if (!spreadStarts.isEmpty() && !(query instanceof SpreadQuery)) {
            throw new IllegalArgumentException("spread starts need a spread query, got a "
                    + query.type().name().toLowerCase(java.util.Locale.ROOT) + " query");
        }
        requireNonNull(imagineCue, "imagine cue is null");
        if ((seedsOnly || imagineCue.isPresent()) && !(query instanceof ImagineQuery)) {
            throw new IllegalArgumentException("seeds only and imagine cue need an imagine query, got a "
                    + query.type().name().toLowerCase(java.util.Locale.ROOT) + " query");
        }
        if (seedsOnly && imagineCue.isPresent()) {
            throw new IllegalArgumentException("a seeds only request must not carry an imagine cue");
        }
    }

    /** A request without imagine phases. */
    public PartitionRequest(
            String queryId, Query query, MemorySpaceId space, Deadline deadline, List<SpreadStart> spreadStarts) {
        this(queryId, query, space, deadline, spreadStarts, false, Optional.empty());
    }

    /** An ordinary request: no spread starts. */
    public PartitionRequest(String queryId, Query query, MemorySpaceId space, Deadline deadline) {
        this(queryId, query, space, deadline, List.of(), false, Optional.empty());
    }
}
