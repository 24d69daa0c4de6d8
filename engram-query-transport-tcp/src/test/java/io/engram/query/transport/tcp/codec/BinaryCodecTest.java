package io.engram.query.transport.tcp.codec;

import static io.engram.query.transport.tcp.codec.SampleNodeMessages.DEADLINE;
import static io.engram.query.transport.tcp.codec.SampleNodeMessages.encode;
import static io.engram.query.transport.tcp.codec.SampleNodeMessages.everyKind;
import static io.engram.query.transport.tcp.codec.SampleNodeMessages.everyReply;
import static io.engram.query.transport.tcp.codec.SampleNodeMessages.request;
import static io.engram.query.transport.tcp.codec.SampleNodeMessages.space;
import static io.engram.query.transport.tcp.codec.SampleNodeMessages.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.Query;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadQuery;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.SpreadStart;
import io.engram.query.spi.TransportException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BinaryCodecTest {
    private final BinaryCodec codec = new BinaryCodec(CodecLimits.DEFAULTS);

    private NodeRequest roundTrip(NodeRequest request, Deadline deadline) {
        ByteBuf buf = Unpooled.wrappedBuffer(encode(codec, request));
        NodeRequest read = codec.readNodeRequest(buf, deadline);
        assertThat(buf.readableBytes()).isZero();
        return read;
    }

    private List<PartitionReply> roundTrip(List<PartitionReply> replies) {
        ByteBuf buf = Unpooled.wrappedBuffer(encode(codec, replies));
        List<PartitionReply> read = codec.readReplies(buf);
        assertThat(buf.readableBytes()).isZero();
        return read;
    }

    @Test
    void aNodeRequestOfEveryTaskKindRoundTrips() {
        NodeRequest request = everyKind();
        NodeRequest read = roundTrip(request, DEADLINE);
        assertThat(view(read)).isEqualTo(view(request));
        assertThat(read.partitions())
                .extracting(p -> p.task().kind())
                .containsExactly("scan", "spread-run", "spread-step", "seed-fetch", "cue-recall", "scan");
    }

    static Stream<Query> everyQuery() {
        return SampleNodeMessages.everyQuery().stream();
    }

    @ParameterizedTest
    @MethodSource("everyQuery")
    void everyQueryTypeRoundTrips(Query query) {
        PartitionTask task = query instanceof io.engram.query.api.ImagineQuery imagine
                ? new PartitionTask.SeedFetch(imagine)
                : PartitionTask.of(query);
        NodeRequest request = request("q-1", 0, List.of(task));
        NodeRequest read = roundTrip(request, DEADLINE);
        assertThat(read.partitions().get(0).query()).isEqualTo(query);
        assertThat(view(read)).isEqualTo(view(request));
    }

    @Test
    void partitionsSharingAQueryCarryItOnce() {
        RecallQuery query = SampleNodeMessages.recall(SampleNodeMessages.embedding(768));
        int one = encode(codec, request("q-1", 0, List.of(new PartitionTask.Scan(query)))).length;
        List<PartitionTask> four = List.of(
                new PartitionTask.Scan(query),
                new PartitionTask.Scan(query),
                new PartitionTask.Scan(query),
                new PartitionTask.Scan(query));
        NodeRequest request = request("q-1", 0, four);
        byte[] bytes = encode(codec, request);

        // the query once; two more ids in the space table (s3 and s4, 3 bytes each: the query names s1 and s2) and
        // three more partitions (space, query, task: 3 bytes each)
        assertThat(bytes.length).isEqualTo(one + 2 * 3 + 3 * 3);
        NodeRequest read = codec.readNodeRequest(Unpooled.wrappedBuffer(bytes), DEADLINE);
        assertThat(view(read)).isEqualTo(view(request));
        assertThat(read.partitions().get(3).query())
                .isSameAs(read.partitions().get(0).query());
    }

    @Test
    void embeddingsTravelAsRawLittleEndianFloats() {
        Embedding embedding = SampleNodeMessages.embedding(768);
        RecallQuery query = RecallQuery.of(List.of(), io.engram.query.api.Cue.of(embedding), 10);
        byte[] bytes = encode(codec, request("q", 0, List.of(new PartitionTask.Scan(query))));
        // the floats follow the dimensions (var-int 768 = 0x80 0x06)
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        int at = indexOf(bytes, new byte[] {(byte) 0x80, 0x06}) + 2;
        for (int i = 0; i < 768; i++) {
            assertThat(Float.floatToRawIntBits(buf.getFloatLE(at + 4 * i)))
                    .isEqualTo(Float.floatToRawIntBits(embedding.get(i)));
        }
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= bytes.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void eachPartitionRunsUnderItsOwnChildOfTheDeadline() {
        AtomicLong now = new AtomicLong(1_000);
        Deadline exchange = Deadline.after(Duration.ofMillis(750), now::get);
        NodeRequest read = roundTrip(everyKind(), exchange);

        List<Deadline> deadlines =
                read.partitions().stream().map(PartitionRequest::deadline).toList();
        assertThat(deadlines).allSatisfy(d -> {
            assertThat(d).isNotSameAs(exchange);
            assertThat(d.remainingMillis()).isEqualTo(750);
        });
        deadlines.get(0).cancel();
        assertThat(deadlines.get(1).isCancelled()).isFalse();
        exchange.cancel();
        assertThat(deadlines).allSatisfy(d -> assertThat(d.isCancelled()).isTrue());
    }

    @Test
    void repliesWithResultsAndEveryFailureKindRoundTrip() {
        List<PartitionReply> replies = everyReply();
        List<PartitionReply> read = roundTrip(replies);
        assertThat(view(read)).isEqualTo(view(replies));
        assertThat(read.get(9).failure().orElseThrow().isOverloaded()).isTrue();
        assertThat(read.get(10).failure().orElseThrow().getMessage()).isNull();
        assertThat(read.get(1).result().orElseThrow().latency()).isEqualTo(Duration.ofSeconds(1, 123_456_789));
    }

    @Test
    void theFlagsOfAFailureTravelForEveryReason() {
        List<PartitionReply> replies = new ArrayList<>();
        int i = 1;
        for (MissingReason reason : MissingReason.values()) {
            for (boolean retryable : new boolean[] {false, true}) {
                replies.add(PartitionReply.failed(space(i++), new TransportException(reason, retryable, reason + "!")));
            }
        }
        List<PartitionReply> read = roundTrip(replies);
        assertThat(view(read)).isEqualTo(view(replies));
    }

    @Test
    void emptyListsRoundTrip() {
        assertThat(roundTrip(List.of())).isEmpty();
        PartialResult empty = new PartialResult(space(1), NodeId.of("n"), List.of(), 1.0, Duration.ZERO);
        assertThat(roundTrip(List.of(PartitionReply.answered(empty)))).containsExactly(PartitionReply.answered(empty));
        NodeRequest spread = request(
                "q", 0, List.of(new PartitionTask.SpreadStep(SampleNodeMessages.spread(), List.<SpreadStart>of())));
        assertThat(view(roundTrip(spread, DEADLINE))).isEqualTo(view(spread));
    }

    @Test
    void readsThePayloadAfterWhatTheBufferAlreadyHeld() {
        ByteBuf buf = Unpooled.buffer();
        buf.writeBytes(new byte[] {9, 9, 9});
        codec.writeNodeRequest(everyKind(), buf);
        buf.skipBytes(3);
        assertThat(view(codec.readNodeRequest(buf, DEADLINE))).isEqualTo(view(everyKind()));

        ByteBuf direct = Unpooled.directBuffer();
        codec.writeReplies(everyReply(), direct);
        assertThat(view(codec.readReplies(direct))).isEqualTo(view(everyReply()));
        direct.release();
    }

    @Test
    void aSpreadOfTheMaximumHopsAndSeedsRoundTrips() {
        List<io.engram.query.api.MemoryId> seeds = new ArrayList<>();
        for (int i = 0; i < SpreadQuery.MAX_SEEDS; i++) {
            seeds.add(io.engram.query.api.MemoryId.of("seed-" + i));
        }
        SpreadQuery spread = new SpreadQuery(
                seeds, List.of(), SpreadQuery.MAX_HOPS, 0.0, 1.0, io.engram.query.api.QueryOptions.limit(10_000));
        NodeRequest request = request("q", Integer.MAX_VALUE, List.of(PartitionTask.of(spread)));
        assertThat(view(roundTrip(request, DEADLINE))).isEqualTo(view(request));
    }
}
