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
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadQuery;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.SpreadStart;
import io.engram.query.spi.TransportException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The node request and the node's answer (execution model v2: one exchange per node and round). */
class NodeMessagesCodecTest {
    private static final ObjectMapper JSON_TREES = new ObjectMapper();
    private static final ObjectMapper SMILE_TREES = new ObjectMapper(new SmileFactory());
    private static final Deadline DEADLINE = Deadline.after(Duration.ofMinutes(1));
    private static final String RECALL =
            "{\"type\":\"recall\",\"spaces\":[\"s1\",\"s2\"],\"cue\":{\"content\":\"tea\"}}";

    private final WireFormat json = WireFormat.json(WireLimits.defaults());
    private final WireFormat smile = WireFormat.smile(WireLimits.defaults());

    private static MemorySpaceId space(int i) {
        return MemorySpaceId.of("s" + i);
    }

    /** One partition of each task kind, in spaces s1 to s5. */
    private static NodeRequest everyKind() {
        List<MemorySpaceId> spaces = List.of(space(1), space(2), space(3), space(4), space(5));
        ImagineQuery imagine = new ImagineQuery(List.of(MemoryId.of("a")), spaces, 0.3, QueryOptions.defaults());
        SpreadQuery spread = SpreadQuery.of(List.of(MemoryId.of("a")), spaces, 10);
        List<PartitionTask> tasks = List.of(
                new PartitionTask.Scan(RecallQuery.of(spaces, Cue.of("coffee"), 5)),
                new PartitionTask.SpreadRun(spread, List.of(new SpreadStart(MemoryId.of("b"), 0.5, 1))),
                new PartitionTask.SpreadStep(spread, List.of(new SpreadStart(MemoryId.of("c"), 0.25, 2))),
                new PartitionTask.SeedFetch(imagine),
                new PartitionTask.CueRecall(imagine, Embedding.of(0.5f, -0.25f)));
        List<PartitionRequest> partitions = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            partitions.add(new PartitionRequest("q-7", spaces.get(i), DEADLINE, tasks.get(i)));
        }
        return new NodeRequest("q-7", partitions, 3);
    }

    @Test
    void aNodeRequestOfEveryTaskKindRoundTripsInJsonAndSmile() throws IOException {
        NodeRequest request = everyKind();
        String text = new String(json.writeNodeRequest(request), UTF_8);
        assertThat(JSON_TREES.writeValueAsString(SMILE_TREES.readTree(smile.writeNodeRequest(request))))
                .isEqualTo(text);
        for (WireFormat format : List.of(json, smile)) {
            Deadline exchange = Deadline.after(Duration.ofSeconds(30));
            NodeRequest read = format.readNodeRequest(format.writeNodeRequest(request), exchange);
            assertThat(read.queryId()).isEqualTo("q-7");
            assertThat(read.reduceTo()).isEqualTo(3);
            assertThat(read.partitions()).hasSize(5);
            for (int i = 0; i < 5; i++) {
                PartitionRequest partition = read.partitions().get(i);
                assertThat(partition.queryId()).isEqualTo("q-7");
                assertThat(partition.space()).isEqualTo(space(i + 1));
                assertThat(partition.task())
                        .isEqualTo(request.partitions().get(i).task());
                assertThat(partition.deadline()).isNotSameAs(exchange);
            }
            // each partition has its own child of the exchange's deadline: one is cancelled alone, all with it
            read.partitions().get(0).deadline().cancel();
            assertThat(read.partitions().get(1).deadline().isCancelled()).isFalse();
            exchange.cancel();
            assertThat(read.partitions()).allMatch(p -> p.deadline().isCancelled());
        }
    }

    @Test
    void eachPartitionIsWrittenAsAPartitionRequestWithoutItsQueryId() {
        RecallQuery recall = SampleMessages.recall();
        NodeRequest request = new NodeRequest(
                "q-1",
                List.of(
                        new PartitionRequest("q-1", recall, space(1), DEADLINE),
                        new PartitionRequest("q-1", recall, space(2), DEADLINE)),
                0);
        String text = new String(json.writeNodeRequest(request), UTF_8);
        String query = new String(json.writeQuery(recall), UTF_8);

        assertThat(text)
                .isEqualTo("{\"query_id\":\"q-1\",\"reduce_to\":0,\"partitions\":["
                        + "{\"space\":\"s1\",\"task\":\"scan\",\"query\":" + query + "},"
                        + "{\"space\":\"s2\",\"task\":\"scan\",\"query\":" + query + "}]}");
        String single =
                new String(json.writePartitionRequest(request.partitions().get(1)), UTF_8);
        assertThat(single)
                .isEqualTo("{\"query_id\":\"q-1\",\"space\":\"s2\",\"task\":\"scan\",\"query\":" + query + "}");
    }

    @Test
    void reduceToIsOptional() {
        NodeRequest read = json.readNodeRequest(
                ("{\"query_id\":\"q\",\"partitions\":[{\"space\":\"s1\",\"query\":" + RECALL + "}]}").getBytes(UTF_8),
                DEADLINE);
        assertThat(read.reduceTo()).isZero();
        assertThat(read.partitions().get(0).task()).isInstanceOf(PartitionTask.Scan.class);
    }

    private void assertRefused(String body, String message) {
        for (WireFormat format : List.of(json, smile)) {
            byte[] bytes = format == json ? body.getBytes(UTF_8) : SampleMessages.smileCopy(body);
            assertThatThrownBy(() -> format.readNodeRequest(bytes, DEADLINE))
                    .isInstanceOf(WireFormatException.class)
                    .hasMessage(message);
        }
    }

    private static String partition(String space) {
        return "{\"space\":\"" + space + "\",\"query\":" + RECALL + "}";
    }

    @Test
    void aBadNodeRequestIsRefusedNamingTheFieldAndThePartition() {
        assertRefused(
                "{\"query_id\":\"q\",\"partitions\":[" + partition("s1")
                        + ",{\"query_id\":\"q\",\"space\":\"s2\",\"query\":" + RECALL + "}]}",
                "unknown field 'partitions[1].query_id' in node request partition; known: imagine_cue, query, space,"
                        + " spread_starts, task");
        assertRefused(
                "{\"query_id\":\"q\",\"partitions\":[" + partition("s1") + "],\"partition\":[]}",
                "unknown field 'partition' in node request; known: partitions, query_id, reduce_to");
        assertRefused("{\"query_id\":\"q\"}", "missing field 'partitions'");
        assertRefused("{\"partitions\":[" + partition("s1") + "]}", "missing field 'query_id'");
        assertRefused(
                "{\"query_id\":\"q\",\"partitions\":[" + partition("s1") + ",{\"query\":" + RECALL + "}]}",
                "missing field 'partitions[1].space'");
        assertRefused("{\"query_id\":\"q\",\"partitions\":{}}", "partitions must be an array, got an object");
        assertRefused(
                "{\"query_id\":\"q\",\"partitions\":[" + partition("s1") + ",3]}",
                "partitions[1] must be an object, got 3");
        assertRefused(
                "{\"query_id\":\"q\",\"partitions\":[{\"space\":7,\"query\":" + RECALL + "}]}",
                "partitions[0].space must be a string, got 7");
        assertRefused(
                "{\"query_id\":\"q\",\"reduce_to\":-1,\"partitions\":[" + partition("s1") + "]}",
                "reduce to must be 0 or more, got -1");
        assertRefused(
                "{\"query_id\":\"q\",\"reduce_to\":\"all\",\"partitions\":[" + partition("s1") + "]}",
                "reduce_to must be an integer, got a string");
        assertRefused("{\"query_id\":\"q\",\"partitions\":[]}", "a node request needs at least one partition");
        assertRefused(
                "{\"query_id\":\"q\",\"partitions\":[" + partition("s1") + "," + partition("s1") + "]}",
                "space 's1' twice in one node request");
        assertRefused(
                "{\"query_id\":\"q\",\"partitions\":[" + partition("s1")
                        + ",{\"space\":\"s2\",\"imagine_cue\":[0.5],\"query\":" + RECALL + "}]}",
                "partitions[1]: imagine_cue is only for cue-recall tasks, not scan");
        assertRefused(
                "{\"query_id\":\"q\",\"partitions\":[{\"space\":\"s2\",\"task\":\"scan\",\"query\":" + RECALL
                        + ",\"spread_starts\":[{\"memory_id\":\"b\",\"activation\":0.5}]}]}",
                "missing field 'partitions[0].spread_starts[0].hops_used'");
        assertRefused(
                "{\"query_id\":\"q\",\"partitions\":[{\"space\":\"s2\",\"task\":\"walk\",\"query\":" + RECALL + "}]}",
                "partitions[0]: unknown task 'walk'; known tasks: scan, spread-run, spread-step, seed-fetch,"
                        + " cue-recall");
        assertRefused(
                "{\"query_id\":\"q\",\"partitions\":[{\"space\":\"s2\",\"query\":{\"type\":\"recall\",\"cue\":{\"content\":\"x\"},\"limit\":\"ten\"}}]}",
                "partitions[0].query.limit must be an integer, got a string");
    }

    @Test
    void aDuplicateFieldOrTooManyPartitionsAreRefused() {
        assertThatThrownBy(() -> json.readNodeRequest(
                        ("{\"query_id\":\"q\",\"reduce_to\":1,\"reduce_to\":2,\"partitions\":[" + partition("s1")
                                        + "]}")
                                .getBytes(UTF_8),
                        DEADLINE))
                .isInstanceOf(WireFormatException.class)
                .hasMessageStartingWith("malformed JSON at line 1, column ")
                .hasMessageEndingWith("Duplicate field 'reduce_to'");
        WireFormat small = WireFormat.json(new WireLimits(1 << 20, 32, 1024, 2, Optional.empty()));
        assertThatThrownBy(() -> small.readNodeRequest(
                        ("{\"query_id\":\"q\",\"partitions\":[" + partition("s1") + "," + partition("s2") + ","
                                        + partition("s3") + "]}")
                                .getBytes(UTF_8),
                        DEADLINE))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("partitions must have at most 2 entries, got 3");
    }

    // ---------------------------------------------------------------- answers

    private static List<PartitionReply> replies() {
        Match match = Match.of(MemoryId.of("m1"), space(1), io.engram.query.api.Confidence.of(0.8), "coffee");
        return List.of(
                PartitionReply.answered(
                        new PartialResult(space(1), NodeId.of("n2"), List.of(match), 0.75, Duration.ofMillis(3))),
                PartitionReply.failed(space(2), TransportException.overloaded("node is at its partition queue cap")),
                PartitionReply.failed(
                        space(3),
                        new TransportException(MissingReason.UNREACHABLE, false, "space s3 is not held here")),
                PartitionReply.failed(space(4), TransportException.timeout("deadline passed")),
                PartitionReply.failed(space(5), TransportException.failed("engine broke", true)),
                PartitionReply.failed(MemorySpaceId.of("s6"), TransportException.rejected("limit too large")));
    }

    @Test
    void answersRoundTripInJsonAndSmileWithEveryFailureKeepingItsFlags() throws IOException {
        List<PartitionReply> replies = replies();
        String text = new String(json.writeNodeReplies(replies), UTF_8);
        assertThat(text)
                .startsWith("{\"partitions\":[{\"space\":\"s1\",\"node\":\"n2\",\"matches\":[")
                .contains("{\"space\":\"s2\",\"error\":{\"reason\":\"failed\",\"retryable\":false,"
                        + "\"overloaded\":true,\"message\":\"node is at its partition queue cap\"}}");
        assertThat(JSON_TREES.writeValueAsString(SMILE_TREES.readTree(smile.writeNodeReplies(replies))))
                .isEqualTo(text);
        for (WireFormat format : List.of(json, smile)) {
            List<PartitionReply> read = format.readNodeReplies(format.writeNodeReplies(replies));
            assertThat(read).hasSize(replies.size());
            assertThat(read.get(0)).isEqualTo(replies.get(0));
            for (int i = 1; i < replies.size(); i++) {
                TransportException expected = replies.get(i).failure().orElseThrow();
                assertThat(read.get(i).space()).isEqualTo(replies.get(i).space());
                assertThat(read.get(i).failure()).get().satisfies(actual -> {
                    assertThat(actual.reason()).isEqualTo(expected.reason());
                    assertThat(actual.isRetryable()).isEqualTo(expected.isRetryable());
                    assertThat(actual.isOverloaded()).isEqualTo(expected.isOverloaded());
                    assertThat(actual).hasMessage(expected.getMessage());
                });
            }
        }
    }

    private void assertAnswerRefused(String body, String message) {
        for (WireFormat format : List.of(json, smile)) {
            byte[] bytes = format == json ? body.getBytes(UTF_8) : SampleMessages.smileCopy(body);
            assertThatThrownBy(() -> format.readNodeReplies(bytes))
                    .isInstanceOf(WireFormatException.class)
                    .hasMessage(message);
        }
    }

    @Test
    void aBadAnswerIsRefusedNamingTheFieldAndThePartition() {
        String ok = "{\"space\":\"s1\",\"node\":\"n2\",\"matches\":[],\"confidence_adjustment\":1.0}";
        assertAnswerRefused("{}", "missing field 'partitions'");
        assertAnswerRefused(
                "{\"node\":\"n2\",\"partitions\":[]}", "unknown field 'node' in node answer; known: partitions");
        assertAnswerRefused(
                "{\"partitions\":[" + ok + ",{\"space\":\"s2\",\"node\":\"n2\",\"matches\":[]}]}",
                "partitions[1]: missing field 'confidence_adjustment'");
        assertAnswerRefused(
                "{\"partitions\":[{\"space\":\"s1\",\"node\":\"n2\",\"matches\":[{\"memory_id\":\"m1\"}],"
                        + "\"confidence_adjustment\":1.0}]}",
                "missing field 'partitions[0].matches[0].space'");
        assertAnswerRefused(
                "{\"partitions\":[{\"space\":\"s1\",\"error\":{\"reason\":\"failed\",\"message\":\"x\"},\"extra\":1}]}",
                "unknown field 'partitions[0].extra' in partition reply; known: confidence_adjustment, error, frontier,"
                        + " latency_ms, matches, node, seeds, space");
        assertAnswerRefused(
                "{\"partitions\":[{\"space\":\"s1\",\"matches\":[],\"error\":{\"reason\":\"failed\","
                        + "\"message\":\"x\"}}]}",
                "partitions[0]: a failed partition has only space and error, got matches");
        assertAnswerRefused(
                "{\"partitions\":[{\"error\":{\"reason\":\"failed\",\"message\":\"x\"}}]}",
                "missing field 'partitions[0].space'");
        assertAnswerRefused(
                "{\"partitions\":[{\"space\":\"s1\",\"error\":{\"reason\":\"lost\",\"message\":\"x\"}}]}",
                "partitions[0].error.reason must be one of timeout, unreachable, failed, rejected, got 'lost'");
        assertAnswerRefused(
                "{\"partitions\":[{\"space\":\"s1\",\"error\":{\"reason\":\"failed\"}}]}",
                "missing field 'partitions[0].error.message'");
        assertAnswerRefused(
                "{\"partitions\":[{\"space\":\"s1\",\"error\":{\"reason\":\"failed\",\"message\":\"x\","
                        + "\"retryable\":\"yes\"}}]}",
                "partitions[0].error.retryable must be true or false, got a string");
        assertAnswerRefused(
                "{\"partitions\":[{\"space\":\"s1\",\"error\":{\"reason\":\"timeout\",\"message\":\"x\","
                        + "\"overloaded\":true}}]}",
                "partitions[0].error: overloaded is only for a failed error that is not retryable, got reason timeout");
        assertAnswerRefused(
                "{\"partitions\":[{\"space\":\"s1\",\"error\":{\"reason\":\"failed\",\"message\":\"x\","
                        + "\"code\":1}}]}",
                "unknown field 'partitions[0].error.code' in partition error; known: message, overloaded, reason, retryable");
    }
}
