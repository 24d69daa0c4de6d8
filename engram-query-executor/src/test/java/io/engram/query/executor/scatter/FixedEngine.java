package io.engram.query.executor.scatter;

import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.spi.LocalQueryEngine;
import io.engram.query.spi.PartitionRequest;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** A node's engine that answers every space it holds with two fixed matches: {@code <space>-a} 0.9, {@code -b} 0.5. */
final class FixedEngine implements LocalQueryEngine {
    private final NodeId node;
    private final Set<MemorySpaceId> spaces;

    FixedEngine(NodeId node, Set<MemorySpaceId> spaces) {
        this.node = node;
        this.spaces = Set.copyOf(spaces);
    }

    @Override
    public boolean holds(MemorySpaceId space) {
        return spaces.contains(space);
    }

    @Override
    public Set<MemorySpaceId> localSpaces() {
        return spaces;
    }

    @Override
    public PartialResult execute(PartitionRequest request) {
        if (!holds(request.space())) {
            throw new IllegalArgumentException("space '" + request.space() + "' is not held by node " + node);
        }
        MemorySpaceId space = request.space();
        return new PartialResult(
                space,
                node,
                List.of(
                        Match.of(MemoryId.of(space + "-a"), space, Confidence.of(0.9), "a of " + space),
                        Match.of(MemoryId.of(space + "-b"), space, Confidence.of(0.5), "b of " + space)),
                1.0,
                Duration.ZERO);
    }
}
