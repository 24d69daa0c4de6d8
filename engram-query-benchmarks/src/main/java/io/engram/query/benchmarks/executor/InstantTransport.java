package io.engram.query.benchmarks.executor;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.Transport;
import io.engram.query.spi.TransportException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link Transport} whose nodes answer at once, on the caller's thread, with three fixed matches per space: what is
 * left of a query's cost is the coordinator's own (planning, call policy, merging, bookkeeping).
 */
final class InstantTransport implements Transport {
    private final Map<MemorySpaceId, List<Match>> answers = new HashMap<>();

    InstantTransport(List<MemorySpaceId> spaces) {
        requireNonNull(spaces, "spaces is null");
        for (MemorySpaceId space : spaces) {
            answers.put(space, fixedMatches(space));
        }
    }

    /** Three matches of {@code space} with confidences 0.9, 0.6 and 0.3. */
    static List<Match> fixedMatches(MemorySpaceId space) {
        return List.of(
                Match.of(MemoryId.of(space.value() + "-a"), space, Confidence.of(0.9), "a of " + space),
                Match.of(MemoryId.of(space.value() + "-b"), space, Confidence.of(0.6), "b of " + space),
                Match.of(MemoryId.of(space.value() + "-c"), space, Confidence.of(0.3), "c of " + space));
    }

    @Override
    public CompletableFuture<PartialResult> execute(NodeId node, PartitionRequest request) {
        List<Match> matches = answers.get(request.space());
        if (matches == null) {
            return CompletableFuture.failedFuture(TransportException.rejected("no space " + request.space()));
        }
        return CompletableFuture.completedFuture(new PartialResult(request.space(), node, matches, 1.0, Duration.ZERO));
    }
}
