package io.engram.query.transport.http.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.CompleteQuery;
import io.engram.query.api.Deadline;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialEmbedding;
import io.engram.query.api.PartialResult;
import io.engram.query.api.Query;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryResult;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadQuery;
import io.engram.query.spi.PartitionRequest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WireFormatTest {
    private final WireFormat json = WireFormat.json(WireLimits.defaults());
    private final WireFormat smile = WireFormat.smile(WireLimits.defaults());

    private static RecallQuery recall() {
        return SampleMessages.recall();
    }

    private static QueryResult result() {
        return SampleMessages.result();
    }

    private Query parse(String text) {
        return json.readQuery(text.getBytes(UTF_8));
    }

    private void assertRejected(String body, String message) {
        assertThatThrownBy(() -> parse(body))
                .isInstanceOf(WireFormatException.class)
                .hasMessage(message);
    }

    @Test
    void parsesTheDocumentedRecallExample() {
        Query query = parse("{\"type\":\"recall\",\"spaces\":[\"s1\",\"s2\"],\"cue\":{\"embedding\":[0.1,0.2,-0.3],"
                + "\"content\":\"coffee\"},\"limit\":10,\"min_confidence\":0.1,\"timeout_ms\":500,"
                + "\"consistency\":\"best-effort\",\"merge_policy\":\"max\"}");
        assertThat(query).isEqualTo(recall());
    }

    @Test
    void parsesTheDocumentedSpreadCompleteAndImagineExamples() {
        assertThat(parse("{\"type\":\"spread\",\"seeds\":[\"m1\"],\"spaces\":[],\"max_hops\":3,\"decay\":0.1,"
                        + "\"threshold\":0.01,\"limit\":50}"))
                .isEqualTo(SpreadQuery.of(List.of(MemoryId.of("m1")), List.of(), 50));
        assertThat(parse("{\"type\":\"complete\",\"spaces\":[\"s1\"],\"partial_embedding\":[0.1,null,0.3],"
                        + "\"known_fields\":{\"who\":\"ana\"},\"limit\":3}"))
                .isEqualTo(new CompleteQuery(
                        List.of(MemorySpaceId.of("s1")),
                        Optional.of(PartialEmbedding.of(Arrays.asList(0.1f, null, 0.3f))),
                        Map.of("who", "ana"),
                        QueryOptions.limit(3)));
        assertThat(parse("{\"type\":\"imagine\",\"seeds\":[\"m1\",\"m2\"],\"spaces\":[\"s1\",\"s2\"],"
                        + "\"novelty\":0.3,\"limit\":10,\"planning_strategy\":\"imagine-fanout\"}"))
                .isEqualTo(new ImagineQuery(
                        List.of(MemoryId.of("m1"), MemoryId.of("m2")),
                        List.of(MemorySpaceId.of("s1"), MemorySpaceId.of("s2")),
                        0.3,
                        QueryOptions.limit(10).withPlanningStrategy("imagine-fanout")));
    }

    @Test
    void absentFieldsTakeTheApiDefaults() {
        assertThat(parse("{\"type\":\"spread\",\"seeds\":[\"m1\"]}"))
                .isEqualTo(SpreadQuery.of(List.of(MemoryId.of("m1")), List.of(), QueryOptions.DEFAULT_LIMIT));
    }

    @Test
    void everyQueryTypeRoundTripsInJsonAndSmile() {
        List<Query> queries = List.of(
                recall(),
                SpreadQuery.of(List.of(MemoryId.of("m1")), List.of(MemorySpaceId.of("s1")), 50),
                new CompleteQuery(
                        List.of(MemorySpaceId.of("s1")),
                        Optional.of(PartialEmbedding.of(Arrays.asList(0.1f, null, 0.3f))),
                        Map.of("who", "ana"),
                        QueryOptions.limit(3)),
                new ImagineQuery(
                        List.of(MemoryId.of("m1")),
                        List.of(),
                        0.3,
                        QueryOptions.limit(10).withPlanningStrategy("imagine")));
        for (Query query : queries) {
            assertThat(json.readQuery(json.writeQuery(query))).isEqualTo(query);
            assertThat(smile.readQuery(smile.writeQuery(query))).isEqualTo(query);
        }
    }

    @Test
    void writesFloatsInTheirShortestForm() {
        assertThat(new String(json.writeQuery(recall()), UTF_8))
                .isEqualTo("{\"type\":\"recall\",\"spaces\":[\"s1\",\"s2\"],\"cue\":{\"embedding\":[0.1,0.2,-0.3],"
                        + "\"content\":\"coffee\"},\"min_confidence\":0.1,\"limit\":10,\"timeout_ms\":500,"
                        + "\"consistency\":\"best-effort\",\"merge_policy\":\"max\"}");
    }

    @Test
    void writesTheResultInTheDocumentedShape() {
        assertThat(new String(json.writeResult(result()), UTF_8))
                .isEqualTo("{\"matches\":[{\"memory_id\":\"m1\",\"space\":\"s1\",\"confidence\":0.93,"
                        + "\"content\":\"coffee with ana\",\"similarity\":0.93,\"fields\":{\"who\":\"ana\"},"
                        + "\"embedding\":[0.5,0.25]},"
                        + "{\"memory_id\":\"m2\",\"space\":\"s2\",\"confidence\":0.5,\"content\":\"tea\"}],"
                        + "\"confidence\":0.62,\"base_confidence\":0.93,\"strategy\":\"multi_partition\","
                        + "\"consistency\":\"best-effort\",\"took_ms\":12,\"coverage\":{\"expected_partitions\":3,"
                        + "\"responding_partitions\":2,\"ratio\":0.6666666666666666,\"timed_out\":1,\"failed\":0,"
                        + "\"missing_partitions\":[{\"space\":\"s3\",\"node\":\"n3\",\"reason\":\"timeout\","
                        + "\"detail\":\"no answer in 500 ms\"}]},"
                        + "\"partitions\":[{\"space\":\"s1\",\"node\":\"n1\",\"status\":\"ok\",\"latency_ms\":3,"
                        + "\"attempts\":1,\"hedged\":false,\"confidence_adjustment\":1.0},"
                        + "{\"space\":\"s2\",\"node\":\"n2\",\"status\":\"ok\",\"latency_ms\":4,\"attempts\":2,"
                        + "\"hedged\":true,\"confidence_adjustment\":1.0},"
                        + "{\"space\":\"s3\",\"node\":\"n3\",\"status\":\"timeout\",\"latency_ms\":500,"
                        + "\"attempts\":1,\"hedged\":false,\"confidence_adjustment\":0.0}]}");
    }

    @Test
    void resultsRoundTripInJsonAndSmile() {
        assertThat(json.readResult(json.writeResult(result()))).isEqualTo(result());
        assertThat(smile.readResult(smile.writeResult(result()))).isEqualTo(result());
    }

    @Test
    void partitionRequestsAndPartialResultsRoundTrip() {
        Deadline deadline = Deadline.after(Duration.ofSeconds(1));
        PartitionRequest request = new PartitionRequest("q-17", recall(), MemorySpaceId.of("s2"), deadline);
        for (WireFormat format : List.of(json, smile)) {
            PartitionRequest read = format.readPartitionRequest(format.writePartitionRequest(request), deadline);
            assertThat(read.queryId()).isEqualTo("q-17");
            assertThat(read.space()).isEqualTo(MemorySpaceId.of("s2"));
            assertThat(read.query()).isEqualTo(recall());
            PartialResult partial = new PartialResult(
                    MemorySpaceId.of("s2"), NodeId.of("n2"), result().matches(), 0.5, Duration.ofMillis(7));
            assertThat(format.readPartialResult(format.writePartialResult(partial)))
                    .isEqualTo(partial);
        }
    }

    @Test
    void rejectsMalformedJsonWithItsPosition() {
        assertRejected(
                "{\"type\": }",
                "malformed JSON at line 1, column 10: Unexpected character ('}' (code 125)):" + " expected a value");
        assertRejected(
                "{\"type\":\"recall\",\"cue\":{\"content\":\"x\"}} {}",
                "malformed JSON at line 1, column 41: " + "unexpected content after the top-level value");
        assertRejected("", "body is empty; expected a JSON object");
    }

    @Test
    void rejectsUnknownFieldsListingTheKnownOnes() {
        assertRejected(
                "{\"type\":\"recall\",\"cue\":{\"content\":\"x\"},\"foo\":1}",
                "unknown field 'foo' in recall query; known: consistency, cue, limit, merge_policy, min_confidence,"
                        + " planning_strategy, spaces, timeout_ms, type");
        assertRejected(
                "{\"type\":\"recall\",\"cue\":{\"content\":\"x\",\"text\":\"y\"}}",
                "unknown field 'cue.text' in cue; known: content, embedding");
    }

    @Test
    void rejectsUnknownOrMissingType() {
        assertRejected("{\"type\":\"x\"}", "unknown query type 'x'; known: recall, spread, complete, imagine");
        assertRejected("{\"limit\":3}", "missing field 'type'; known types: recall, spread, complete, imagine");
        assertRejected("[1]", "body must be an object, got an array");
        assertRejected("null", "body must be an object, got null");
        assertRejected("\"recall\"", "body must be an object, got a string");
    }

    @Test
    void rejectsWrongTypesNamingTheField() {
        assertRejected(
                "{\"type\":\"spread\",\"seeds\":[\"m1\"],\"limit\":\"ten\"}", "limit must be an integer, got a string");
        assertRejected("{\"type\":\"spread\",\"seeds\":[\"m1\"],\"limit\":2.5}", "limit must be an integer, got 2.5");
        assertRejected("{\"type\":\"spread\",\"seeds\":\"m1\"}", "seeds must be an array, got a string");
        assertRejected("{\"type\":\"spread\",\"seeds\":[1]}", "seeds[0] must be a string, got 1");
        assertRejected(
                "{\"type\":\"recall\",\"cue\":{\"embedding\":[0.1,\"x\"]}}",
                "cue.embedding[1] must be a number, got a string");
    }

    @Test
    void rejectsOutOfRangeValuesWithTheApiMessage() {
        assertRejected("{\"type\":\"spread\",\"seeds\":[\"m1\"],\"limit\":0}", "limit must be in [1, 10000], got 0");
        assertRejected(
                "{\"type\":\"spread\",\"seeds\":[\"m1\"],\"max_hops\":11}", "max hops must be in [1, 10], got 11");
        assertRejected(
                "{\"type\":\"recall\",\"cue\":{\"content\":\"x\"},\"min_confidence\":1.5}",
                "min_confidence: confidence must be in [0, 1], got 1.5");
        assertRejected(
                "{\"type\":\"spread\",\"seeds\":[\"m 1\"]}",
                "seeds[0]: memory id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got 'm 1'");
        assertRejected("{\"type\":\"recall\",\"cue\":{}}", "cue: cue must have an embedding, a content text, or both");
        assertRejected(
                "{\"type\":\"recall\",\"cue\":{\"embedding\":[1e39]}}",
                "cue.embedding[0] must be a finite 32-bit number, got 1.0E39");
    }

    @Test
    void checksEmbeddingDimensionsWhenConfigured() {
        WireFormat strict = WireFormat.json(WireLimits.defaults().withDimensions(Optional.of(768)));
        assertThatThrownBy(() ->
                        strict.readQuery("{\"type\":\"recall\",\"cue\":{\"embedding\":[0.1,0.2,0.3]}}".getBytes(UTF_8)))
                .hasMessage("cue.embedding must have 768 dimensions, got 3");
        assertThatThrownBy(() ->
                        strict.readQuery("{\"type\":\"complete\",\"partial_embedding\":[0.1,null]}".getBytes(UTF_8)))
                .hasMessage("partial_embedding must have 768 dimensions, got 2");
    }

    @Test
    void enforcesNestingDepthDocumentSizeAndArrayLength() {
        WireLimits limits = new WireLimits(200, 4, 100, 3, Optional.empty());
        WireFormat small = WireFormat.json(limits);
        assertThatThrownBy(() -> small.readQuery("{\"type\":[[[[[1]]]]]}".getBytes(UTF_8)))
                .hasMessage("JSON nesting depth must be at most 4");
        assertThatThrownBy(() -> small.readQuery(("{\"type\":\"" + "x".repeat(300) + "\"}").getBytes(UTF_8)))
                .hasMessage("body must be at most 200 bytes, got 311");
        assertThatThrownBy(() ->
                        small.readQuery("{\"type\":\"spread\",\"seeds\":[\"a\",\"b\",\"c\",\"d\"]}".getBytes(UTF_8)))
                .hasMessage("seeds must have at most 3 entries, got 4");
    }

    @Test
    void rejectsDuplicateFields() {
        assertRejected(
                "{\"type\":\"spread\",\"type\":\"recall\"}",
                "malformed JSON at line 1, column 24: Duplicate field 'type'");
        assertThatThrownBy(() -> WireFormat.smile(WireLimits.defaults())
                        .readQuery(SampleMessages.smileCopy("{\"type\":\"spread\",\"type\":\"recall\"}")))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("malformed Smile at byte 18: Duplicate field 'type'");
    }

    @Test
    void rejectsAPartitionRequestWithoutAQuery() {
        assertThatThrownBy(() -> json.readPartitionRequest(
                        "{\"query_id\":\"q\",\"space\":\"s1\"}".getBytes(UTF_8), Deadline.after(Duration.ofSeconds(1))))
                .hasMessage("missing field 'query'");
    }

    @Test
    void rejectsAPartialResultWithAnUnknownStatusOrReason() {
        assertThatThrownBy(() -> json.readResult(("{\"matches\":[],\"confidence\":1,\"base_confidence\":1,"
                                + "\"strategy\":\"everywhere\",\"consistency\":\"all\",\"coverage\":{"
                                + "\"expected_partitions\":0,\"responding_partitions\":0,\"ratio\":1}}")
                        .getBytes(UTF_8)))
                .hasMessage("strategy must be one of single_partition, multi_partition, broadcast, got 'everywhere'");
    }

    /** A query result body whose third match is {@code thirdMatch}. */
    private static String resultWithThirdMatch(String thirdMatch) {
        String match = "{\"memory_id\":\"m\",\"space\":\"s1\",\"confidence\":0.5}";
        return "{\"matches\":[" + match + "," + match + "," + thirdMatch + "],\"confidence\":1,\"base_confidence\":1,"
                + "\"strategy\":\"broadcast\",\"consistency\":\"all\",\"coverage\":{\"expected_partitions\":0,"
                + "\"responding_partitions\":0,\"ratio\":1}}";
    }

    private void assertResultRejected(String body, String message) {
        assertThatThrownBy(() -> json.readResult(body.getBytes(UTF_8)))
                .isInstanceOf(WireFormatException.class)
                .hasMessage(message);
    }

    @Test
    void refusesAnUnknownFieldNamingItsPathAndTheAllowedFields() {
        assertResultRejected(
                resultWithThirdMatch("{\"memory_id\":\"m\",\"space\":\"s1\",\"confidence\":0.5,\"colour\":\"red\"}"),
                "unknown field 'matches[2].colour' in match; known: activation, confidence, content, embedding, fields,"
                        + " memory_id, similarity, space");
    }

    @Test
    void refusesADuplicateField() {
        assertResultRejected(
                resultWithThirdMatch("{\"memory_id\":\"m\",\"space\":\"s1\",\"confidence\":0.5,\"confidence\":0.6}"),
                "malformed JSON at line 1, column 168: Duplicate field 'confidence'");
    }

    @Test
    void refusesAWrongTypeAtANestedPath() {
        assertResultRejected(
                resultWithThirdMatch("{\"memory_id\":\"m\",\"space\":\"s1\",\"confidence\":\"high\"}"),
                "matches[2].confidence must be a number, got a string");
        assertResultRejected(
                resultWithThirdMatch("{\"memory_id\":\"m\",\"space\":\"s1\",\"confidence\":1.5}"),
                "matches[2].confidence: confidence must be in [0, 1], got 1.5");
    }

    @Test
    void readsObjectsOfMoreThan32FieldsAndFindsADuplicateAmongThem() {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < CompleteQuery.MAX_FIELDS; i++) {
            fields.put("field-" + i, "value-" + i);
            body.append(i == 0 ? "" : ",")
                    .append("\"field-")
                    .append(i)
                    .append("\":\"value-")
                    .append(i)
                    .append('"');
        }
        CompleteQuery query =
                new CompleteQuery(List.of(MemorySpaceId.of("s1")), Optional.empty(), fields, QueryOptions.limit(3));
        for (WireFormat format : List.of(json, smile)) {
            assertThat(format.readQuery(format.writeQuery(query))).isEqualTo(query);
        }
        assertThat(parse("{\"type\":\"complete\",\"spaces\":[\"s1\"],\"limit\":3,\"known_fields\":{" + body + "}}"))
                .isEqualTo(query);
        assertRejected(
                "{\"type\":\"complete\",\"known_fields\":{" + body + ",\"field-40\":\"again\"}}",
                "malformed JSON at line 1, column 1434: Duplicate field 'field-40'");
    }
}
