package io.engram.query.transport.http.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import io.engram.query.api.Cue;
import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadQuery;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.SpreadStart;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PartitionRequestCodecTest {
    private static final ObjectMapper JSON_TREES = new ObjectMapper();
    private static final ObjectMapper SMILE_TREES = new ObjectMapper(new SmileFactory());
    private static final Deadline DEADLINE = Deadline.after(Duration.ofMinutes(1));
    private static final MemorySpaceId S2 = MemorySpaceId.of("s2");
    private static final String HEAD =
            "{\"query_id\":\"q\",\"space\":\"s2\",\"query\":{\"type\":\"spread\",\"seeds\":[\"a\"]}";
    private static final String START = "{\"memory_id\":\"b\",\"activation\":0.5,\"hops_used\":1}";

    private final WireFormat json = WireFormat.json(WireLimits.defaults());
    private final WireFormat smile = WireFormat.smile(WireLimits.defaults());

    private static PartitionRequest spreadRound() {
        SpreadQuery query = SpreadQuery.of(List.of(MemoryId.of("a")), List.of(S2), 10);
        return new PartitionRequest(
                "q-1",
                S2,
                DEADLINE,
                new PartitionTask.SpreadRun(
                        query,
                        List.of(
                                new SpreadStart(MemoryId.of("b"), 0.1 * 3, 1),
                                new SpreadStart(MemoryId.of("c"), 1.0, 0))));
    }

    @Test
    void spreadStartsRoundTripInJsonAndSmileWithTheSameTree() throws IOException {
        PartitionRequest request = spreadRound();
        String text = new String(json.writePartitionRequest(request), UTF_8);

        assertThat(text)
                .contains("\"spread_starts\":[{\"memory_id\":\"b\",\"activation\":0.30000000000000004,\"hops_used\":1},"
                        + "{\"memory_id\":\"c\",\"activation\":1.0,\"hops_used\":0}]");
        assertThat(JSON_TREES.writeValueAsString(SMILE_TREES.readTree(smile.writePartitionRequest(request))))
                .isEqualTo(text);
        for (WireFormat format : List.of(json, smile)) {
            PartitionRequest read = format.readPartitionRequest(format.writePartitionRequest(request), DEADLINE);
            assertThat(read.queryId()).isEqualTo("q-1");
            assertThat(read.query()).isEqualTo(request.query());
            assertThat(read.space()).isEqualTo(S2);
            assertThat(read.task()).isEqualTo(request.task());
        }
    }

    @Test
    void everyTaskKindRoundTripsInJsonAndSmile() {
        ImagineQuery imagine = new ImagineQuery(List.of(MemoryId.of("a")), List.of(S2), 0.3, QueryOptions.defaults());
        SpreadQuery spread = SpreadQuery.of(List.of(MemoryId.of("a")), List.of(S2), 10);
        List<PartitionTask> tasks = List.of(
                new PartitionTask.Scan(RecallQuery.of(List.of(S2), Cue.of("coffee"), 5)),
                new PartitionTask.SpreadRun(spread, List.of()),
                new PartitionTask.SpreadStep(spread, List.of(new SpreadStart(MemoryId.of("b"), 0.25, 2))),
                new PartitionTask.SeedFetch(imagine),
                new PartitionTask.CueRecall(imagine, Embedding.of(0.5f, -0.25f)));

        for (WireFormat format : List.of(json, smile)) {
            for (PartitionTask task : tasks) {
                PartitionRequest request = new PartitionRequest("q-2", S2, DEADLINE, task);
                PartitionRequest read = format.readPartitionRequest(format.writePartitionRequest(request), DEADLINE);
                assertThat(read.task()).as(task.kind()).isEqualTo(task);
            }
        }
    }

    @Test
    void rejectsATaskThatDoesNotFitItsFieldsOrQuery() {
        String recall =
                "{\"query_id\":\"q\",\"space\":\"s2\",\"query\":{\"type\":\"recall\",\"cue\":{\"content\":\"x\"}}";
        assertRejectedInBoth(
                recall + ",\"task\":\"walk\"}",
                "unknown task 'walk'; known tasks: scan, spread-run, spread-step, seed-fetch, cue-recall");
        assertRejectedInBoth(
                recall + ",\"task\":\"spread-step\"}", "a spread-step task needs a spread query, got a recall query");
        assertRejectedInBoth(
                recall + ",\"spread_starts\":[" + START + "]}",
                "spread_starts is only for spread-run and spread-step tasks, not scan");
        assertRejectedInBoth(
                HEAD + ",\"imagine_cue\":[1.0]}", "imagine_cue is only for cue-recall tasks, not spread-run");
        String imagine = "{\"query_id\":\"q\",\"space\":\"s2\",\"query\":{\"type\":\"imagine\",\"seeds\":[\"a\"]}";
        assertRejectedInBoth(imagine + "}", "an imagine query needs a task: seed-fetch or cue-recall");
        assertRejectedInBoth(imagine + ",\"task\":\"cue-recall\"}", "missing field 'imagine_cue'");
        assertRejectedInBoth(
                imagine + ",\"task\":\"scan\"}", "a scan serves a recall or a complete query, got an imagine query");
    }

    @Test
    void readsFieldsInAnyOrder() {
        String body = "{\"spread_starts\":[" + START + "],\"query\":{\"type\":\"spread\",\"seeds\":[\"a\"]},"
                + "\"task\":null,\"space\":\"s2\",\"query_id\":\"q\"}";

        PartitionRequest read = json.readPartitionRequest(body.getBytes(UTF_8), DEADLINE);

        assertThat(read.task())
                .isEqualTo(new PartitionTask.SpreadRun(
                        (SpreadQuery) read.query(), List.of(new SpreadStart(MemoryId.of("b"), 0.5, 1))));
        assertThat(read.queryId()).isEqualTo("q");
    }

    @Test
    void rejectsABadStartNamingItsPathInJsonAndSmile() {
        assertRejectedInBoth(
                HEAD + ",\"spread_starts\":[" + START + ",{\"memory_id\":\"c\",\"activation\":0.5,\"hop\":1}]}",
                "missing field 'spread_starts[1].hops_used'");
        assertRejectedInBoth(
                HEAD + ",\"spread_starts\":[" + START + ",{\"memory_id\":\"c\",\"activation\":0.5}]}",
                "missing field 'spread_starts[1].hops_used'");
        assertRejectedInBoth(
                HEAD + ",\"spread_starts\":[{\"memory_id\":\"c\",\"activation\":\"high\",\"hops_used\":1}]}",
                "spread_starts[0].activation must be a number, got a string");
        assertRejectedInBoth(
                HEAD + ",\"spread_starts\":[{\"memory_id\":\"c d\",\"activation\":0.5,\"hops_used\":1}]}",
                "spread_starts[0].memory_id: memory id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got 'c d'");
        assertRejectedInBoth(HEAD + ",\"spread_starts\":[7]}", "spread_starts[0] must be an object, got 7");
        assertRejectedInBoth(
                HEAD + ",\"colour\":1}",
                "unknown field 'colour' in partition request; known: imagine_cue,"
                        + " query, query_id, space, spread_starts, task");
        assertRejectedInBoth("{\"query_id\":\"q\",\"space\":\"s2\",\"query\":null}", "missing field 'query'");
        assertRejectedInBoth(
                "{\"query_id\":\"q\",\"space\":\"s2\",\"query\":[1]}", "query must be an object, got an array");
    }

    @Test
    void enforcesTheArrayLengthLimitOnStarts() {
        WireFormat small = WireFormat.json(new WireLimits(1 << 20, 32, 1000, 2, Optional.empty()));
        String body = HEAD + ",\"spread_starts\":[" + String.join(",", START, START, START, START) + "]}";

        assertThatThrownBy(() -> small.readPartitionRequest(body.getBytes(UTF_8), DEADLINE))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("spread_starts must have at most 2 entries, got 4");
    }

    @Test
    void reportsAMalformedRequestAsSuchEvenAfterAFieldError() {
        assertThatThrownBy(() -> json.readPartitionRequest((HEAD + ",\"colour\":1").getBytes(UTF_8), DEADLINE))
                .isInstanceOf(WireFormatException.class)
                .hasMessageStartingWith("malformed JSON at line 1, column 80: Unexpected end-of-input");
    }

    @Test
    void rejectsADuplicateFieldAtEveryLevelInJsonAndSmileAsTheParserDid() {
        assertDuplicateRejected(
                "{\"query_id\":\"q\",\"query_id\":\"r\",\"space\":\"s2\",\"query\":{\"type\":\"spread\",\"seeds\":[\"a\"]}}",
                "malformed JSON at line 1, column 27: Duplicate field 'query_id'",
                "malformed Smile at byte 17: Duplicate field 'query_id'");
        assertDuplicateRejected(
                HEAD + ",\"spread_starts\":[" + START + ",{\"memory_id\":\"c\",\"activation\":0.5,\"hops_used\":1,"
                        + "\"hops_used\":2}]}",
                "malformed JSON at line 1, column 195: Duplicate field 'hops_used'",
                "malformed Smile at byte 136: Duplicate field 'hops_used'");
        assertDuplicateRejected(
                "{\"query_id\":\"q\",\"space\":\"s2\",\"query\":{\"type\":\"spread\",\"type\":\"spread\",\"seeds\":[\"a\"]}}",
                "malformed JSON at line 1, column 61: Duplicate field 'type'",
                "malformed Smile at byte 45: Duplicate field 'type'");
        assertDuplicateRejected(
                "{\"query_id\":\"q\",\"space\":\"s2\",\"query\":{\"type\":\"recall\","
                        + "\"cue\":{\"content\":\"x\",\"content\":\"y\"}}}",
                "malformed JSON at line 1, column 85: Duplicate field 'content'",
                "malformed Smile at byte 60: Duplicate field 'content'");
        assertDuplicateRejected(
                HEAD + ",\"imagine_cue\":[1,{\"a\":1,\"a\":2}]}",
                "imagine_cue[1] must be a number, got an object",
                "imagine_cue[1] must be a number, got an object");
        // A field error first: it is the error reported, the first in document order (the body is read once).
        assertDuplicateRejected(
                HEAD + ",\"task\":1234567,\"space\":\"s3\"}",
                "task must be a string, got 1234567",
                "task must be a string, got 1234567");
    }

    /** A body with a duplicate field, in JSON or (copied token by token) in Smile, rejected with these messages. */
    private void assertDuplicateRejected(String jsonBody, String jsonMessage, String smileMessage) {
        assertThatThrownBy(() -> json.readPartitionRequest(jsonBody.getBytes(UTF_8), DEADLINE))
                .isInstanceOf(WireFormatException.class)
                .hasMessage(jsonMessage);
        assertThatThrownBy(() -> smile.readPartitionRequest(SampleMessages.smileCopy(jsonBody), DEADLINE))
                .isInstanceOf(WireFormatException.class)
                .hasMessage(smileMessage);
    }

    private void assertRejectedInBoth(String jsonBody, String message) {
        for (WireFormat format : List.of(json, smile)) {
            assertThatThrownBy(() -> format.readPartitionRequest(body(format, jsonBody), DEADLINE))
                    .isInstanceOf(WireFormatException.class)
                    .hasMessage(message);
        }
    }

    private static byte[] body(WireFormat format, String jsonBody) throws IOException {
        if (format.mediaType().equals(WireFormat.JSON_MEDIA_TYPE)) {
            return jsonBody.getBytes(UTF_8);
        }
        return SMILE_TREES.writeValueAsBytes(JSON_TREES.readTree(jsonBody));
    }
}
