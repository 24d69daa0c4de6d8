package io.engram.query.transport.http.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.Confidence;
import io.engram.query.api.Coverage;
import io.engram.query.api.Deadline;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.PlanStrategy;
import io.engram.query.api.QueryResult;
import io.engram.query.api.SpreadCrossing;
import io.engram.query.api.SpreadQuery;
import io.engram.query.api.SpreadStats;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.SpreadStart;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpreadWireFormatTest {
    private static final MemorySpaceId S2 = MemorySpaceId.of("s2");
    private static final Deadline DEADLINE = Deadline.after(Duration.ofSeconds(1));
    private static final SpreadQuery SPREAD = SpreadQuery.of(List.of(MemoryId.of("s1-m0")), List.of(), 10);

    private final WireFormat json = WireFormat.json(WireLimits.defaults());
    private final WireFormat smile = WireFormat.smile(WireLimits.defaults());

    @Test
    void spreadStartsRoundTripExactly() {
        List<SpreadStart> starts = List.of(
                new SpreadStart(MemoryId.of("s2-m4"), 0.1 + 0.2, 1),
                new SpreadStart(MemoryId.of("s2-m5"), 0.47239200000000003, 3));
        for (PartitionTask task :
                List.of(new PartitionTask.SpreadRun(SPREAD, starts), new PartitionTask.SpreadStep(SPREAD, starts))) {
            PartitionRequest request = new PartitionRequest("q-9", S2, DEADLINE, task);
            for (WireFormat format : List.of(json, smile)) {
                PartitionRequest read = format.readPartitionRequest(format.writePartitionRequest(request), DEADLINE);

                assertThat(read.task()).isEqualTo(task);
            }
        }
    }

    @Test
    void aRequestWithoutStartsKeepsItsFormerShape() {
        PartitionRequest request = new PartitionRequest("q-9", SPREAD, S2, DEADLINE);

        String text = new String(json.writePartitionRequest(request), UTF_8);

        assertThat(text).doesNotContain("spread_starts");
        assertThat(json.readPartitionRequest(text.getBytes(UTF_8), DEADLINE).task())
                .isEqualTo(new PartitionTask.SpreadRun(SPREAD, List.of()));
    }

    @Test
    void frontierRoundTripsWithAndWithoutItsSpace() {
        PartialResult partial = new PartialResult(
                S2,
                NodeId.of("n2"),
                List.of(),
                1.0,
                Duration.ofMillis(3),
                List.of(
                        new SpreadCrossing(MemoryId.of("s3-m1"), Optional.of(MemorySpaceId.of("s3")), 0.6561, 2),
                        new SpreadCrossing(MemoryId.of("elsewhere"), Optional.empty(), 0.1 * 3, 1)));
        for (WireFormat format : List.of(json, smile)) {
            assertThat(format.readPartialResult(format.writePartialResult(partial)))
                    .isEqualTo(partial);
        }
        assertThat(new String(json.writePartialResult(partial), UTF_8))
                .contains(
                        "\"frontier\":[{\"memory_id\":\"s3-m1\",\"space\":\"s3\",\"activation\":0.6561,\"hops_used\":2},"
                                + "{\"memory_id\":\"elsewhere\",\"activation\":0.30000000000000004,\"hops_used\":1}]");
    }

    @Test
    void spreadStatsTravelInTheAnswer() {
        QueryResult result = new QueryResult(
                List.of(),
                Confidence.CERTAIN,
                Confidence.CERTAIN,
                Coverage.complete(3),
                PlanStrategy.MULTI_PARTITION,
                "best-effort",
                Duration.ofMillis(4),
                List.of(),
                Optional.of(new SpreadStats(3, false)));

        assertThat(new String(json.writeResult(result), UTF_8))
                .contains("\"spread\":{\"rounds\":3,\"stopped_early\":false}");
        assertThat(json.readResult(json.writeResult(result))).isEqualTo(result);
        assertThat(smile.readResult(smile.writeResult(result))).isEqualTo(result);
    }

    @Test
    void rejectsAStartWithTooManyHops() {
        String body = "{\"query_id\":\"q\",\"space\":\"s2\",\"query\":{\"type\":\"spread\",\"seeds\":[\"a\"]},"
                + "\"spread_starts\":[{\"memory_id\":\"b\",\"activation\":0.5,\"hops_used\":11}]}";

        assertThatThrownBy(() -> json.readPartitionRequest(body.getBytes(UTF_8), DEADLINE))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("spread_starts[0]: hops used must be in [0, 10], got 11");
    }

    @Test
    void rejectsStartsForAQueryThatIsNotASpread() {
        String body =
                "{\"query_id\":\"q\",\"space\":\"s2\",\"query\":{\"type\":\"recall\",\"cue\":{\"content\":\"x\"}},"
                        + "\"spread_starts\":[{\"memory_id\":\"b\",\"activation\":0.5,\"hops_used\":1}]}";

        assertThatThrownBy(() -> json.readPartitionRequest(body.getBytes(UTF_8), DEADLINE))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("spread_starts is only for spread-run and spread-step tasks, not scan");
    }

    @Test
    void rejectsAnUnknownFieldInACrossing() {
        String body = "{\"space\":\"s2\",\"node\":\"n2\",\"confidence_adjustment\":1.0,"
                + "\"frontier\":[{\"memory_id\":\"b\",\"activation\":0.5,\"hops_used\":1,\"hops\":2}]}";

        assertThatThrownBy(() -> json.readPartialResult(body.getBytes(UTF_8)))
                .isInstanceOf(WireFormatException.class)
                .hasMessage(
                        "unknown field 'frontier[0].hops' in spread crossing; known: activation, hops_used, memory_id, space");
    }
}
