package io.engram.query.transport.tcp.codec;

import static io.engram.query.transport.tcp.codec.SampleNodeMessages.DEADLINE;
import static io.engram.query.transport.tcp.codec.SampleNodeMessages.encode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.Embedding;
import io.engram.query.spi.PartitionTask;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Malformed payloads, each refused with a {@link CodecException} whose exact text names the field. */
class BinaryCodecMalformedTest {
    private final BinaryCodec codec = new BinaryCodec(CodecLimits.DEFAULTS);

    private void assertRequestRefused(ByteBuf payload, String message) {
        assertThatThrownBy(() -> codec.readNodeRequest(payload, DEADLINE))
                .isInstanceOf(CodecException.class)
                .hasMessage(message);
    }

    private void assertRequestRefused(PayloadBuilder payload, String message) {
        assertRequestRefused(payload.buf(), message);
    }

    private void assertRepliesRefused(BinaryCodec with, PayloadBuilder payload, String message) {
        assertThatThrownBy(() -> with.readReplies(payload.buf()))
                .isInstanceOf(CodecException.class)
                .hasMessage(message);
    }

    private void assertRepliesRefused(PayloadBuilder payload, String message) {
        assertRepliesRefused(codec, payload, message);
    }

    // ---------------------------------------------------------------- framing

    @Test
    void anEmptyPayloadHasNoFormat() {
        assertRequestRefused(Unpooled.EMPTY_BUFFER, "format: needs 1 byte, 0 remain");
        assertThatThrownBy(() -> codec.readReplies(Unpooled.EMPTY_BUFFER)).hasMessage("format: needs 1 byte, 0 remain");
    }

    @Test
    void anotherFormatVersionIsRefused() {
        assertRequestRefused(
                new PayloadBuilder().u8(2), "format: version 2 is not supported; this node reads version 1");
    }

    @Test
    void aTruncatedRequestNamesTheFieldItEndsIn() {
        byte[] whole = encode(codec, SampleNodeMessages.oneSeedSpreadRequest());
        // the last byte is the count of the spread run's starts
        assertRequestRefused(
                Unpooled.wrappedBuffer(Arrays.copyOf(whole, whole.length - 1)),
                "partitions[0].task.starts: needs 1 byte, 0 remain");
        // inside the spread's threshold, which the options (5 bytes) and the partitions (5 bytes) follow
        int threshold = whole.length - 5 - 5 - 8;
        assertRequestRefused(
                Unpooled.wrappedBuffer(Arrays.copyOf(whole, threshold + 5)),
                "queries[0].threshold: needs 8 bytes, 5 remain");
    }

    @Test
    void bytesAfterThePayloadAreRefused() {
        ByteBuf buf = Unpooled.buffer();
        codec.writeNodeRequest(SampleNodeMessages.oneSeedSpreadRequest(), buf);
        buf.writeBytes(new byte[] {0, 0, 7});
        assertRequestRefused(buf, "3 bytes after the end of the node request");
    }

    // ---------------------------------------------------------------- numbers, enums, lengths

    @Test
    void aVarIntPastTheLargestIntIsRefused() {
        assertRequestRefused(
                new PayloadBuilder().u8(1).str("q").u8(0xFF, 0xFF, 0xFF, 0xFF, 0x0F),
                "reduceTo: var-int is larger than 2147483647");
        assertRequestRefused(
                new PayloadBuilder().u8(1).str("q").u8(0x80, 0x80, 0x80, 0x80, 0x80, 0x01),
                "reduceTo: var-int is larger than 2147483647");
        assertRequestRefused(new PayloadBuilder().u8(1).str("q").u8(0x80, 0x80), "reduceTo: needs 1 byte, 0 remain");
    }

    @Test
    void anUnknownTaskKindIsRefusedWithTheKnownOnes() {
        assertRequestRefused(
                new PayloadBuilder()
                        .request("s1")
                        .var(1)
                        .recallQuery()
                        .var(1)
                        .var(0)
                        .var(0)
                        .u8(7),
                "partitions[0].task: unknown task 7; known: 0 scan, 1 spread-run, 2 spread-step, 3 seed-fetch,"
                        + " 4 cue-recall");
    }

    @Test
    void anUnknownQueryTypeOrReasonIsRefused() {
        assertRequestRefused(
                new PayloadBuilder().request("s1").var(1).u8(4, 0),
                "queries[0].type: unknown query type 4; known: 0 recall, 1 spread, 2 complete, 3 imagine");
        assertRepliesRefused(
                new PayloadBuilder().replies("s1").var(1).u8(1).var(0).u8(9, 0, 0, 0),
                "replies[0].failure.reason: unknown reason 9; known: 0 timeout, 1 unreachable, 2 failed, 3 rejected");
    }

    @Test
    void aPresenceByteIsZeroOrOne() {
        assertRepliesRefused(
                new PayloadBuilder().replies("s1").var(1).u8(1).var(0).u8(2, 1, 2, 0),
                "replies[0].failure.overloaded: must be 0 or 1, got 2");
    }

    @Test
    void aStringLongerThanTheRestOfThePayloadIsRefusedBeforeAllocating() {
        assertRepliesRefused(
                new PayloadBuilder()
                        .replies("s1")
                        .var(1)
                        .resultOfSpace0()
                        .var(1)
                        .matchStart()
                        .var(99_999_999)
                        .u8(new int[120]),
                "replies[0].result.matches[0].content: length 99999999 exceeds the remaining 120 bytes");
    }

    @Test
    void aStringOverTheLimitIsRefused() {
        BinaryCodec small = new BinaryCodec(new CodecLimits(8, 100, 100, Optional.empty()));
        assertRepliesRefused(
                small,
                new PayloadBuilder()
                        .replies("s1")
                        .var(1)
                        .resultOfSpace0()
                        .var(1)
                        .matchStart()
                        .str("123456789"),
                "replies[0].result.matches[0].content: length 9 exceeds the limit of 8 bytes");
    }

    @Test
    void aCountLargerThanTheBytesLeftOrTheLimitIsRefused() {
        assertRepliesRefused(
                new PayloadBuilder()
                        .replies("s1")
                        .var(1)
                        .resultOfSpace0()
                        .var(1_000_000)
                        .u8(new int[30]),
                "replies[0].result.matches: count 1000000 needs at least 16000000 bytes, 30 remain");
        BinaryCodec small = new BinaryCodec(new CodecLimits(100, 4, 100, Optional.empty()));
        assertRepliesRefused(
                small,
                new PayloadBuilder()
                        .replies("s1")
                        .var(1)
                        .resultOfSpace0()
                        .var(5)
                        .u8(new int[200]),
                "replies[0].result.matches: count 5 exceeds the limit of 4 entries");
    }

    @Test
    void malformedUtf8IsRefused() {
        assertRepliesRefused(
                new PayloadBuilder()
                        .replies("s1")
                        .var(1)
                        .resultOfSpace0()
                        .var(1)
                        .matchStart()
                        .var(3)
                        .u8('a', 0xC3, 0x28, 0, 0, 0, 0, 0),
                "replies[0].result.matches[0].content: is not valid UTF-8");
    }

    @Test
    void embeddingDimensionsAreChecked() {
        assertRequestRefused(
                new PayloadBuilder().request("s1").var(1).u8(0).var(0).u8(1).var(0),
                "queries[0].cue.embedding: must have 1 to 65536 dimensions, got 0");
        assertRequestRefused(
                new PayloadBuilder()
                        .request("s1")
                        .var(1)
                        .u8(0)
                        .var(0)
                        .u8(1)
                        .var(3)
                        .f32(1f, 2f),
                "queries[0].cue.embedding: 3 floats need 12 bytes, 8 remain");
        BinaryCodec threeDimensions = new BinaryCodec(CodecLimits.DEFAULTS.withDimensions(3));
        ByteBuf twoDimensionCue = Unpooled.wrappedBuffer(encode(
                codec,
                SampleNodeMessages.request(
                        "q",
                        0,
                        List.of(new PartitionTask.CueRecall(
                                SampleNodeMessages.imagine(), Embedding.of(0.5f, -0.25f))))));
        assertThatThrownBy(() -> threeDimensions.readNodeRequest(twoDimensionCue, DEADLINE))
                .isInstanceOf(CodecException.class)
                .hasMessage("partitions[0].task.cue: must have 3 dimensions, got 2");
    }

    @Test
    void aPartialEmbeddingsBitmapMarksOnlyItsDimensions() {
        // complete query: no spaces, partial of 3 dimensions with bit 3 set
        assertRequestRefused(
                new PayloadBuilder()
                        .request("s1")
                        .var(1)
                        .u8(2)
                        .var(0)
                        .u8(1)
                        .var(3)
                        .u8(0b1001),
                "queries[0].partialEmbedding: the known-dimension bitmap marks dimensions past the last one");
        assertRequestRefused(
                new PayloadBuilder()
                        .request("s1")
                        .var(1)
                        .u8(2)
                        .var(0)
                        .u8(1)
                        .var(3)
                        .u8(0)
                        .var(0)
                        .defaultOptions(),
                "queries[0].partialEmbedding: partial embedding must have at least one known dimension");
    }

    // ---------------------------------------------------------------- model constructors

    @Test
    void aConstructorsRefusalNamesTheValueItRefused() {
        assertRequestRefused(
                new PayloadBuilder()
                        .request("s1")
                        .var(1)
                        .spreadQuery()
                        .var(1)
                        .var(0)
                        .var(0)
                        .u8(1)
                        .var(1)
                        .str("b")
                        .f64(2.0)
                        .var(1),
                "partitions[0].task.starts[0]: activation must be in [0.0, 1.0], got 2.0");
        assertRequestRefused(
                new PayloadBuilder()
                        .request("s1")
                        .var(1)
                        .u8(0)
                        .var(0)
                        .u8(0)
                        .u8(1)
                        .str("tea")
                        .f64(0.0)
                        .var(0)
                        .u8(0, 0, 0, 0),
                "queries[0].options: limit must be in [1, 10000], got 0");
        assertRequestRefused(
                new PayloadBuilder().request("s1").var(1).u8(0).var(0).u8(0).u8(0),
                "queries[0].cue: cue must have an embedding, a content text, or both");
        assertRequestRefused(
                new PayloadBuilder()
                        .request("s1")
                        .var(1)
                        .u8(0)
                        .var(0)
                        .u8(0)
                        .u8(1)
                        .str("tea")
                        .f64(1.5),
                "queries[0].minConfidence: confidence must be in [0, 1], got 1.5");
        assertRequestRefused(
                new PayloadBuilder().request("s1").var(1).u8(0).var(2).var(0).var(1),
                "queries[0].spaces[1]: space 1 is not in the table of 1 spaces");
    }

    @Test
    void aBadIdNamesItsPlace() {
        assertRequestRefused(
                new PayloadBuilder().request("bad space"),
                "spaces[0]: memory space id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got 'bad space'");
        assertRepliesRefused(
                new PayloadBuilder().replies("s1").var(1).u8(0).var(0).str("").u8(new int[10]),
                "replies[0].result.node: node id must not be empty");
    }

    @Test
    void aTaskNeedsAQueryOfItsType() {
        assertRequestRefused(
                new PayloadBuilder()
                        .request("s1")
                        .var(1)
                        .recallQuery()
                        .var(1)
                        .var(0)
                        .var(0)
                        .u8(1)
                        .var(0),
                "partitions[0].task: a spread-run task needs a spread query, got a recall query");
        assertRequestRefused(
                new PayloadBuilder()
                        .request("s1")
                        .var(1)
                        .spreadQuery()
                        .var(1)
                        .var(0)
                        .var(0)
                        .u8(0),
                "partitions[0].task: a scan serves a recall or a complete query, got a spread query");
    }

    @Test
    void theNodeRequestsOwnChecksApply() {
        assertRequestRefused(
                new PayloadBuilder()
                        .request("s1")
                        .var(1)
                        .recallQuery()
                        .var(2)
                        .var(0)
                        .var(0)
                        .u8(0)
                        .var(0)
                        .var(0)
                        .u8(0),
                "space 's1' twice in one node request");
        assertRequestRefused(
                new PayloadBuilder().request().var(1).recallQuery().var(0),
                "a node request needs at least one partition");
        assertRequestRefused(
                new PayloadBuilder().u8(1).str("").var(0), "queryId: must have 1 to 128 characters, got 0");
    }

    @Test
    void tablesHoldEachEntryOnceAndOnlyWhatIsUsed() {
        assertRequestRefused(new PayloadBuilder().request("s1", "s2", "s1"), "spaces[2]: repeats 's1' of spaces[0]");
        assertRequestRefused(
                new PayloadBuilder()
                        .request("s1", "s2")
                        .var(1)
                        .recallQuery()
                        .var(1)
                        .var(0)
                        .var(0)
                        .u8(0),
                "spaces[1]: 's2' is not used by the payload");
        assertRequestRefused(
                new PayloadBuilder()
                        .request("s1")
                        .var(2)
                        .recallQuery()
                        .recallQuery()
                        .var(1)
                        .var(0)
                        .var(0)
                        .u8(0),
                "queries[1]: is not used by any partition");
        assertRequestRefused(
                new PayloadBuilder()
                        .request("s1")
                        .var(1)
                        .recallQuery()
                        .var(1)
                        .var(0)
                        .var(1)
                        .u8(0),
                "partitions[0].query: query 1 is not in the table of 1 queries");
    }

    @Test
    void aFieldNamedTwiceIsRefused() {
        assertRepliesRefused(
                new PayloadBuilder()
                        .replies("s1")
                        .var(1)
                        .resultOfSpace0()
                        .var(1)
                        .matchStart()
                        .str("")
                        .u8(0, 0)
                        .var(2)
                        .str("who")
                        .str("ana")
                        .str("who")
                        .str("bo"),
                "replies[0].result.matches[0].fields[1].name: repeats 'who'");
    }

    @Test
    void anOverloadedFailureIsAFailedOneThatIsNotRetryable() {
        assertRepliesRefused(
                new PayloadBuilder().replies("s1").var(1).u8(1).var(0).u8(2, 1, 1, 0),
                "replies[0].failure.overloaded: is only for a failed error that is not retryable, got reason failed,"
                        + " retryable");
        assertRepliesRefused(
                new PayloadBuilder().replies("s1").var(1).u8(1).var(0).u8(0, 0, 1, 0),
                "replies[0].failure.overloaded: is only for a failed error that is not retryable, got reason timeout");
    }

    @Test
    void aLatencyHasAtMostASecondOfNanoseconds() {
        assertRepliesRefused(
                new PayloadBuilder()
                        .replies("s1")
                        .var(1)
                        .resultOfSpace0()
                        .var(0)
                        .f64(1.0)
                        .var(0)
                        .var(1_000_000_000),
                "replies[0].result.latency: nanoseconds must be in [0, 999999999], got 1000000000");
    }
}
