package io.engram.query.transport.http.json;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import io.engram.query.api.Confidence;
import io.engram.query.api.Embedding;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.SeedEmbedding;
import io.engram.query.api.SpreadCrossing;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class PartialResultCodecTest {
    private static final ObjectMapper JSON_TREES = new ObjectMapper();
    private static final ObjectMapper SMILE_TREES = new ObjectMapper(new SmileFactory());
    /** What the tree model wrote for {@link #everyField()}: the streaming writer must write the same. */
    private static final String EVERY_FIELD_JSON = "{\"space\":\"s1\",\"node\":\"n1\",\"matches\":["
            + "{\"memory_id\":\"m1\",\"space\":\"s1\",\"confidence\":0.93,\"content\":\"coffee with ana\","
            + "\"activation\":0.25,\"similarity\":-0.93,\"fields\":{\"a\":\"b\",\"who\":\"ana\"},"
            + "\"embedding\":[0.5,0.25,1.0E-7,0.33333334]},"
            + "{\"memory_id\":\"m2\",\"space\":\"s2\",\"confidence\":0.5,\"content\":\"\"}],"
            + "\"confidence_adjustment\":0.75,\"latency_ms\":123456789012,"
            + "\"frontier\":[{\"memory_id\":\"x\",\"space\":\"s3\",\"activation\":0.30000000000000004,\"hops_used\":2},"
            + "{\"memory_id\":\"y\",\"activation\":1.0,\"hops_used\":10}],"
            + "\"seeds\":[{\"memory_id\":\"s\",\"embedding\":[0.1,-0.7071068]}]}";

    private static final String HEAD = "{\"space\":\"s\",\"node\":\"n\",\"confidence_adjustment\":1";
    private static final String MATCH = "{\"memory_id\":\"a\",\"space\":\"s\",\"confidence\":1";

    private final WireFormat json = WireFormat.json(WireLimits.defaults());
    private final WireFormat smile = WireFormat.smile(WireLimits.defaults());

    private static PartialResult everyField() {
        Match full = new Match(
                MemoryId.of("m1"),
                MemorySpaceId.of("s1"),
                Confidence.of(0.93),
                "coffee with ana",
                OptionalDouble.of(0.25),
                OptionalDouble.of(-0.93),
                Map.of("who", "ana", "a", "b"),
                Optional.of(Embedding.of(0.5f, 0.25f, 1e-7f, 0.33333334f)));
        Match bare = Match.of(MemoryId.of("m2"), MemorySpaceId.of("s2"), Confidence.of(0.5), "");
        return new PartialResult(
                MemorySpaceId.of("s1"),
                NodeId.of("n1"),
                List.of(full, bare),
                0.75,
                Duration.ofMillis(123456789012L),
                List.of(
                        new SpreadCrossing(MemoryId.of("x"), Optional.of(MemorySpaceId.of("s3")), 0.1 * 3, 2),
                        new SpreadCrossing(MemoryId.of("y"), Optional.empty(), 1.0, 10)),
                List.of(new SeedEmbedding(MemoryId.of("s"), Embedding.of(0.1f, -0.7071068f))));
    }

    private static PartialResult noOptionalField() {
        return new PartialResult(MemorySpaceId.of("s1"), NodeId.of("n1"), List.of(), 0.0, Duration.ZERO);
    }

    @Test
    void roundTripsWithEveryOptionalFieldPresentOrAbsentInJsonAndSmile() {
        for (WireFormat format : List.of(json, smile)) {
            for (PartialResult partial : List.of(everyField(), noOptionalField())) {
                assertThat(format.readPartialResult(format.writePartialResult(partial)))
                        .isEqualTo(partial);
            }
        }
    }

    @Test
    void writesTheFieldsAndNumbersTheTreeModelWrote() {
        assertThat(new String(json.writePartialResult(everyField()), UTF_8)).isEqualTo(EVERY_FIELD_JSON);
        assertThat(new String(json.writePartialResult(noOptionalField()), UTF_8))
                .isEqualTo("{\"space\":\"s1\",\"node\":\"n1\",\"matches\":[],\"confidence_adjustment\":0.0,"
                        + "\"latency_ms\":0}");
    }

    @Test
    void writesAMatchsFieldsInNameOrderWhateverTheirNumber() {
        assertThat(writtenFields(Map.of("who", "ana"))).isEqualTo("{\"who\":\"ana\"}");
        assertThat(writtenFields(Map.of("where", "cafe", "who", "ana", "b", "1", "Z", "2", "a", "3")))
                .isEqualTo("{\"Z\":\"2\",\"a\":\"3\",\"b\":\"1\",\"where\":\"cafe\",\"who\":\"ana\"}");
    }

    /** The {@code fields} object of a match with these fields, as written in JSON. */
    private String writtenFields(Map<String, String> fields) {
        Match match = new Match(
                MemoryId.of("m"),
                MemorySpaceId.of("s"),
                Confidence.of(0.5),
                "",
                OptionalDouble.empty(),
                OptionalDouble.empty(),
                fields,
                Optional.empty());
        PartialResult partial =
                new PartialResult(MemorySpaceId.of("s"), NodeId.of("n"), List.of(match), 1.0, Duration.ZERO);
        String text = new String(json.writePartialResult(partial), UTF_8);
        assertThat(json.readPartialResult(json.writePartialResult(partial))).isEqualTo(partial);
        return text.substring(text.indexOf("\"fields\":") + "\"fields\":".length(), text.indexOf('}') + 1);
    }

    @Test
    void smileCarriesTheSameTreeAsJsonBothWays() throws IOException {
        JsonNode tree = JSON_TREES.readTree(EVERY_FIELD_JSON);

        assertThat(JSON_TREES.writeValueAsString(SMILE_TREES.readTree(smile.writePartialResult(everyField()))))
                .isEqualTo(EVERY_FIELD_JSON);
        assertThat(smile.readPartialResult(SMILE_TREES.writeValueAsBytes(tree))).isEqualTo(everyField());
    }

    @Test
    void readsFieldsInAnyOrderAndNullAsAbsent() {
        String body = "{\"seeds\":null,\"frontier\":[{\"hops_used\":1,\"activation\":0.5,\"space\":null,"
                + "\"memory_id\":\"b\"}],\"latency_ms\":null,\"confidence_adjustment\":1,\"matches\":[{\"embedding\":null,"
                + "\"fields\":null,\"similarity\":null,\"activation\":null,\"content\":null,\"confidence\":0.5,"
                + "\"space\":\"s\",\"memory_id\":\"a\"}],\"node\":\"n\",\"space\":\"s\"}";

        PartialResult read = json.readPartialResult(body.getBytes(UTF_8));

        assertThat(read)
                .isEqualTo(new PartialResult(
                        MemorySpaceId.of("s"),
                        NodeId.of("n"),
                        List.of(Match.of(MemoryId.of("a"), MemorySpaceId.of("s"), Confidence.of(0.5), "")),
                        1.0,
                        Duration.ZERO,
                        List.of(new SpreadCrossing(MemoryId.of("b"), Optional.empty(), 0.5, 1))));
    }

    @Test
    void rejectsUnknownFieldsAtEveryLevelInJsonAndSmile() {
        assertRejectedInBoth(
                HEAD + ",\"colour\":null}",
                "unknown field 'colour' in partial result; known: confidence_adjustment, frontier, latency_ms, matches,"
                        + " node, seeds, space");
        assertRejectedInBoth(
                HEAD + ",\"matches\":[" + MATCH + "}," + MATCH + ",\"colour\":\"red\"}]}",
                "unknown field 'matches[1].colour' in match; known: activation, confidence, content, embedding, fields,"
                        + " memory_id, similarity, space");
        assertRejectedInBoth(
                HEAD + ",\"frontier\":[{\"memory_id\":\"b\",\"activation\":0.5,\"hops_used\":1,\"hops\":2}]}",
                "unknown field 'frontier[0].hops' in spread crossing; known: activation, hops_used, memory_id, space");
        assertRejectedInBoth(
                HEAD + ",\"seeds\":[{\"memory_id\":\"a\",\"embedding\":[1],\"vector\":[1]}]}",
                "unknown field 'seeds[0].vector' in seed embedding; known: embedding, memory_id");
    }

    @Test
    void rejectsAMissingRequiredFieldNamingItsPath() {
        assertRejectedInBoth("{\"node\":\"n\",\"confidence_adjustment\":1}", "missing field 'space'");
        assertRejectedInBoth("{\"space\":\"s\",\"node\":null,\"confidence_adjustment\":1}", "missing field 'node'");
        assertRejectedInBoth("{\"space\":\"s\",\"node\":\"n\"}", "missing field 'confidence_adjustment'");
        assertRejectedInBoth(
                HEAD + ",\"matches\":[" + MATCH + "},{\"memory_id\":\"a\",\"space\":\"s\"}]}",
                "missing field 'matches[1].confidence'");
        assertRejectedInBoth(
                HEAD + ",\"matches\":[{\"space\":\"s\",\"confidence\":1}]}", "missing field 'matches[0].memory_id'");
        assertRejectedInBoth(
                HEAD + ",\"frontier\":[{\"memory_id\":\"b\",\"activation\":0.5}]}",
                "missing field 'frontier[0].hops_used'");
        assertRejectedInBoth(
                HEAD + ",\"seeds\":[{\"memory_id\":\"a\",\"embedding\":null}]}", "missing field 'seeds[0].embedding'");
    }

    @Test
    void rejectsAValueOfTheWrongTypeNamingItsPath() {
        assertRejectedInBoth("[1]", "body must be an object, got an array");
        assertRejectedInBoth("null", "body must be an object, got null");
        assertRejectedInBoth(HEAD + ",\"matches\":{}}", "matches must be an array, got an object");
        assertRejectedInBoth(HEAD + ",\"matches\":[" + MATCH + "},3]}", "matches[1] must be an object, got 3");
        assertRejectedInBoth(
                HEAD + ",\"matches\":[{\"memory_id\":\"a\",\"space\":\"s\",\"confidence\":\"high\"}]}",
                "matches[0].confidence must be a number, got a string");
        assertRejectedInBoth(
                HEAD + ",\"matches\":[" + MATCH + ",\"fields\":{\"who\":true}}]}",
                "matches[0].fields.who must be a string, got a boolean");
        assertRejectedInBoth(
                HEAD + ",\"matches\":[" + MATCH + ",\"embedding\":[0.5,\"x\"]}]}",
                "matches[0].embedding[1] must be a number, got a string");
        assertRejectedInBoth(
                HEAD + ",\"frontier\":[{\"memory_id\":\"b\",\"activation\":0.5,\"hops_used\":1.5}]}",
                "frontier[0].hops_used must be an integer, got 1.5");
        assertRejectedInBoth(
                HEAD + ",\"frontier\":[{\"memory_id\":\"b\",\"activation\":0.5,\"hops_used\":3000000000}]}",
                "frontier[0].hops_used must be a 32-bit integer, got 3000000000");
        assertRejectedInBoth(
                "{\"space\":\"s\",\"node\":7,\"confidence_adjustment\":1}", "node must be a string, got 7");
        assertRejectedInBoth(HEAD + ",\"latency_ms\":-1}", "latency_ms must be >= 0, got -1");
        assertRejectedInBoth(
                HEAD + ",\"matches\":[" + MATCH + ",\"embedding\":[1e39]}]}",
                "matches[0].embedding[0] must be a finite 32-bit number, got 1.0E39");
    }

    @Test
    void rejectsBadIdsAndValuesWithTheApiMessage() {
        assertRejectedInBoth(
                "{\"space\":\"s 1\",\"node\":\"n\",\"confidence_adjustment\":1}",
                "space: memory space id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got 's 1'");
        assertRejectedInBoth(
                "{\"space\":\"s\",\"node\":\"\",\"confidence_adjustment\":1}", "node: node id must not be empty");
        assertRejectedInBoth(
                HEAD + ",\"matches\":[{\"memory_id\":\"a/b\",\"space\":\"s\",\"confidence\":1}]}",
                "matches[0].memory_id: memory id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got 'a/b'");
        // The space of the first match is remembered; the second's, not the same, is still checked.
        assertRejectedInBoth(
                HEAD + ",\"matches\":[" + MATCH + "},{\"memory_id\":\"b\",\"space\":\"s \",\"confidence\":1}]}",
                "matches[1].space: memory space id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got 's '");
        assertRejectedInBoth(
                HEAD + ",\"frontier\":[{\"memory_id\":\"b\",\"space\":\"-s\",\"activation\":0.5,\"hops_used\":1}]}",
                "frontier[0].space: memory space id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got '-s'");
        assertRejectedInBoth(
                HEAD + ",\"matches\":[{\"memory_id\":\"a\",\"space\":\"s\",\"confidence\":1.5}]}",
                "matches[0].confidence: confidence must be in [0, 1], got 1.5");
        assertRejectedInBoth(
                HEAD + ",\"frontier\":[{\"memory_id\":\"b\",\"activation\":0.5,\"hops_used\":11}]}",
                "frontier[0]: hops used must be in [1, 10], got 11");
        assertRejectedInBoth(
                "{\"space\":\"s\",\"node\":\"n\",\"confidence_adjustment\":1.5}",
                "confidence adjustment must be in [0.0, 1.0], got 1.5");
    }

    @Test
    void enforcesTheArrayLengthLimitCountingTheWholeArray() {
        WireLimits limits = new WireLimits(1 << 20, 32, 1000, 3, Optional.empty());
        WireFormat smallJson = WireFormat.json(limits);
        WireFormat smallSmile = WireFormat.smile(limits);
        String fourMatches = HEAD + ",\"matches\":[" + MATCH + "}," + MATCH + "}," + MATCH + "}," + MATCH + "}]}";
        String crossing = "{\"memory_id\":\"b\",\"activation\":0.5,\"hops_used\":1}";
        String fiveCrossings =
                HEAD + ",\"frontier\":[" + String.join(",", crossing, crossing, crossing, crossing, crossing) + "]}";
        String longEmbedding = HEAD + ",\"matches\":[" + MATCH + ",\"embedding\":[1,2,3,4]}]}";

        for (WireFormat format : List.of(smallJson, smallSmile)) {
            assertThatThrownBy(() -> format.readPartialResult(body(format, fourMatches)))
                    .isInstanceOf(WireFormatException.class)
                    .hasMessage("matches must have at most 3 entries, got 4");
            assertThatThrownBy(() -> format.readPartialResult(body(format, fiveCrossings)))
                    .hasMessage("frontier must have at most 3 entries, got 5");
            assertThatThrownBy(() -> format.readPartialResult(body(format, longEmbedding)))
                    .hasMessage("matches[0].embedding must have at most 3 entries, got 4");
        }
    }

    @Test
    void checksEmbeddingDimensionsWhenConfigured() {
        WireFormat strict = WireFormat.json(WireLimits.defaults().withDimensions(Optional.of(4)));
        String body = HEAD + ",\"seeds\":[{\"memory_id\":\"a\",\"embedding\":[0.5,0.25]}]}";

        assertThatThrownBy(() -> strict.readPartialResult(body.getBytes(UTF_8)))
                .isInstanceOf(WireFormatException.class)
                .hasMessage("seeds[0].embedding must have 4 dimensions, got 2");
    }

    @Test
    void reportsTheFirstErrorInDocumentOrder() {
        assertRejected(json, "", "body is empty; expected a JSON object");
        assertRejected(
                json,
                HEAD + ",\"colour\":1,\"latency_ms\":}",
                "malformed JSON at line 1, column 75: Unexpected character ('}' (code 125)): expected a value");
        assertRejected(
                json,
                HEAD + "} {}",
                "malformed JSON at line 1, column 52: unexpected content after the top-level value");
        assertRejected(json, HEAD + ",\"matches\":[{\"colour\":1}]", "missing field 'matches[0].memory_id'");
        assertRejected(
                json,
                "{\"space\":\"s\",\"space\":\"t\",\"node\":\"n\",\"confidence_adjustment\":1}",
                "malformed JSON at line 1, column 21: Duplicate field 'space'");
    }

    @Test
    void rejectsADuplicateFieldAtEveryLevelInJsonAndSmileAsTheParserDid() {
        assertDuplicateRejected(
                "{\"space\":\"s\",\"space\":\"t\",\"node\":\"n\",\"confidence_adjustment\":1}",
                "malformed JSON at line 1, column 21: Duplicate field 'space'",
                "malformed Smile at byte 14: Duplicate field 'space'");
        assertDuplicateRejected(
                HEAD + ",\"matches\":[" + MATCH + ",\"confidence\":0.5}]}",
                "malformed JSON at line 1, column 118: Duplicate field 'confidence'",
                "malformed Smile at byte 81: Duplicate field 'confidence'");
        assertDuplicateRejected(
                HEAD + ",\"frontier\":[{\"memory_id\":\"x\",\"activation\":1,\"hops_used\":1,\"activation\":2}]}",
                "malformed JSON at line 1, column 121: Duplicate field 'activation'",
                "malformed Smile at byte 90: Duplicate field 'activation'");
        assertDuplicateRejected(
                HEAD + ",\"seeds\":[{\"memory_id\":\"x\",\"memory_id\":\"y\",\"embedding\":[1]}]}",
                "malformed JSON at line 1, column 88: Duplicate field 'memory_id'",
                "malformed Smile at byte 64: Duplicate field 'memory_id'");
        assertDuplicateRejected(
                HEAD + ",\"matches\":[" + MATCH + ",\"fields\":{\"a\":\"b\",\"a\":\"c\"}}]}",
                "malformed JSON at line 1, column 127: Duplicate field 'a'",
                "malformed Smile at byte 93: Duplicate field 'a'");
    }

    @Test
    void rejectsADuplicateFieldWhateverItsValueOrWhatComesBefore() {
        assertDuplicateRejected(
                "{\"space\":null,\"space\":\"t\",\"node\":\"n\",\"confidence_adjustment\":1}",
                "malformed JSON at line 1, column 22: Duplicate field 'space'",
                "malformed Smile at byte 13: Duplicate field 'space'");
        assertDuplicateRejected(
                HEAD + ",\"matches\":[" + MATCH + ",\"content\":\"x\",\"content\":null}]}",
                "malformed JSON at line 1, column 129: Duplicate field 'content'",
                "malformed Smile at byte 91: Duplicate field 'content'");
        // A field error first: the duplicate further on is still the error reported, as when the tree was parsed.
        assertDuplicateRejected(
                HEAD + ",\"colour\":1,\"node\":\"m\"}",
                "malformed JSON at line 1, column 68: Duplicate field 'node'",
                "malformed Smile at byte 52: Duplicate field 'node'");
        // Inside a value the reader skips after an error.
        assertDuplicateRejected(
                HEAD + ",\"seeds\":[{\"memory_id\":\"x\",\"embedding\":[1,{\"a\":1,\"a\":2}]}]}",
                "seeds[0].embedding[1] must be a number, got an object",
                "seeds[0].embedding[1] must be a number, got an object");
    }

    @Test
    void appliesTheParserLimits() {
        WireFormat small = WireFormat.json(new WireLimits(1000, 4, 10, 100, Optional.empty()));

        assertRejected(
                small,
                HEAD + ",\"matches\":[" + MATCH + ",\"embedding\":[[[1]]]}]}",
                "JSON nesting depth must be at most 4");
        assertRejected(
                small,
                HEAD + ",\"matches\":[" + MATCH + ",\"content\":\"" + "x".repeat(11) + "\"}]}",
                "a string value must be at most 10 characters long");
        assertRejected(
                small, HEAD + ",\"x\":\"" + "y".repeat(1000) + "\"}", "body must be at most 1000 bytes, got 1057");
    }

    /** A body with a duplicate field, in JSON or (copied token by token) in Smile, rejected with these messages. */
    private void assertDuplicateRejected(String jsonBody, String jsonMessage, String smileMessage) {
        assertThatThrownBy(() -> json.readPartialResult(jsonBody.getBytes(UTF_8)))
                .isInstanceOf(WireFormatException.class)
                .hasMessage(jsonMessage);
        assertThatThrownBy(() -> smile.readPartialResult(SampleMessages.smileCopy(jsonBody)))
                .isInstanceOf(WireFormatException.class)
                .hasMessage(smileMessage);
    }

    private void assertRejectedInBoth(String jsonBody, String message) {
        assertRejected(json, jsonBody, message);
        assertRejected(smile, jsonBody, message);
    }

    private static void assertRejected(WireFormat format, String jsonBody, String message) {
        assertThatThrownBy(() -> format.readPartialResult(body(format, jsonBody)))
                .isInstanceOf(WireFormatException.class)
                .hasMessage(message);
    }

    /** The body as the format carries it; for Smile, the same tree written by a plain Jackson mapper. */
    private static byte[] body(WireFormat format, String jsonBody) throws IOException {
        if (format.mediaType().equals(WireFormat.JSON_MEDIA_TYPE)) {
            return jsonBody.getBytes(UTF_8);
        }
        return SMILE_TREES.writeValueAsBytes(JSON_TREES.readTree(jsonBody));
    }
}
