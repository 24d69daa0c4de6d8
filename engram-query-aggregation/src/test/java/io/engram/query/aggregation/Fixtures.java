package io.engram.query.aggregation;

import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import java.time.Duration;
import java.util.List;

/** Short constructors for the values the aggregation tests build. */
final class Fixtures {
    private Fixtures() {}

    static MemorySpaceId space(String name) {
        return MemorySpaceId.of(name);
    }

    static List<MemorySpaceId> spaces(String... names) {
        return java.util.Arrays.stream(names).map(MemorySpaceId::of).toList();
    }

    static Match match(String id, String space, double confidence) {
        return Match.of(MemoryId.of(id), MemorySpaceId.of(space), Confidence.of(confidence), "content of " + id);
    }

    static PartialResult partial(String space, Match... matches) {
        return partial(space, 1.0, matches);
    }

    static PartialResult partial(String space, double adjustment, Match... matches) {
        return new PartialResult(
                MemorySpaceId.of(space),
                NodeId.of("node-" + space),
                List.of(matches),
                adjustment,
                Duration.ofMillis(3));
    }

    static MissingPartition missing(String space, String node, MissingReason reason, String detail) {
        return MissingPartition.of(MemorySpaceId.of(space), NodeId.of(node), reason, detail);
    }
}
