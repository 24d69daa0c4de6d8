package io.engram.query.transport.tcp.codec;

import io.engram.query.api.CompleteQuery;
import io.engram.query.api.Confidence;
import io.engram.query.api.Cue;
import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialEmbedding;
import io.engram.query.api.PartialResult;
import io.engram.query.api.Query;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SeedEmbedding;
import io.engram.query.api.SpreadCrossing;
import io.engram.query.api.SpreadQuery;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.SpreadStart;
import io.engram.query.spi.TransportException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * Queries, node requests and replies for the codec tests (after the HTTP module's {@code SampleMessages}), and the
 * views that compare what equals can not: deadlines and exceptions are compared by identity.
 */
final class SampleNodeMessages {
    static final Deadline DEADLINE = Deadline.after(Duration.ofMinutes(1));

    private SampleNodeMessages() {}

    static MemorySpaceId space(int i) {
        return MemorySpaceId.of("s" + i);
    }

    static MemoryId memory(String id) {
        return MemoryId.of(id);
    }

    /** {@code dimensions} deterministic values in (-1, 1), with a negative zero among them. */
    static Embedding embedding(int dimensions) {
        float[] values = new float[dimensions];
        for (int i = 0; i < dimensions; i++) {
            values[i] = (float) Math.sin(i * 0.7 + 0.3);
        }
        values[0] = -0.0f;
        return Embedding.of(values);
    }

    static QueryOptions fullOptions() {
        return new QueryOptions(
                25,
                Optional.of(Duration.ofMillis(500).plusNanos(250)),
                Optional.of("quorum"),
                Optional.of("noisy-or"),
                Optional.of("broadcast"));
    }

    static RecallQuery recall(Embedding embedding) {
        return new RecallQuery(
                List.of(space(1), space(2)),
                new Cue(Optional.of(embedding), Optional.of("coffee")),
                Confidence.of(0.1),
                fullOptions());
    }

    static RecallQuery recall() {
        return recall(Embedding.of(0.1f, 0.2f, -0.3f));
    }

    static RecallQuery recallContentOnly() {
        return RecallQuery.of(List.of(), Cue.of("café crème ☕ 𝄞"), 10);
    }

    static SpreadQuery spread() {
        return new SpreadQuery(
                List.of(memory("a"), memory("b")),
                List.of(space(1), space(2), space(3)),
                4,
                0.2,
                0.05,
                QueryOptions.limit(20).withMergePolicy("noisy-or"));
    }

    static SpreadQuery oneSeedSpread() {
        return SpreadQuery.of(List.of(memory("memory-000042")), List.of(space(1), space(2), space(3)), 10);
    }

    static CompleteQuery complete() {
        Map<String, String> known = new LinkedHashMap<>();
        known.put("who", "ana");
        known.put("where", "café");
        return new CompleteQuery(
                List.of(space(4)),
                Optional.of(PartialEmbedding.of(Arrays.asList(0.5f, null, -1.25f, null, null, null, null, null, 3.0f))),
                known,
                QueryOptions.limit(3));
    }

    static CompleteQuery completeFieldsOnly() {
        return new CompleteQuery(List.of(), Optional.empty(), Map.of("kind", "note"), QueryOptions.defaults());
    }

    static ImagineQuery imagine() {
        return new ImagineQuery(
                List.of(memory("a"), memory("z.9")), List.of(space(1), space(5)), 0.3, QueryOptions.defaults());
    }

    static List<Query> everyQuery() {
        return List.of(
                recall(),
                recallContentOnly(),
                RecallQuery.of(List.of(space(9)), Cue.of(embedding(768)), 10),
                spread(),
                oneSeedSpread(),
                complete(),
                completeFieldsOnly(),
                imagine());
    }

    /** One partition of each task kind (and a scan of a complete), in spaces s1 to s6; the spread shared by two. */
    static NodeRequest everyKind() {
        SpreadQuery spread = spread();
        ImagineQuery imagine = imagine();
        List<PartitionTask> tasks = List.of(
                new PartitionTask.Scan(recall()),
                new PartitionTask.SpreadRun(
                        spread, List.of(new SpreadStart(memory("b"), 0.5, 1), SpreadStart.seed(memory("c")))),
                new PartitionTask.SpreadStep(spread, List.of(new SpreadStart(memory("c"), 0.25, 2))),
                new PartitionTask.SeedFetch(imagine),
                new PartitionTask.CueRecall(imagine, Embedding.of(0.5f, -0.25f)),
                new PartitionTask.Scan(complete()));
        return request("q-7", 3, tasks);
    }

    /** The typical first round of a spread: one seed, one partition. */
    static NodeRequest oneSeedSpreadRequest() {
        return request("query-7f3a9c", 0, List.of(PartitionTask.of(oneSeedSpread())));
    }

    /** Partitions s1, s2, ... with these tasks. */
    static NodeRequest request(String queryId, int reduceTo, List<PartitionTask> tasks) {
        List<PartitionRequest> partitions = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            partitions.add(new PartitionRequest(queryId, space(i + 1), DEADLINE, tasks.get(i)));
        }
        return new NodeRequest(queryId, partitions, reduceTo);
    }

    static Match fullMatch(String id, MemorySpaceId space, double confidence) {
        return new Match(
                memory(id),
                space,
                Confidence.of(confidence),
                "coffee with ana, Zoë and 李 — ☕",
                OptionalDouble.of(confidence),
                OptionalDouble.of(-0.25),
                Map.of("who", "ana", "mood", "😀"),
                Optional.of(Embedding.of(0.5f, 0.25f, -0.0f)));
    }

    /** {@code count} essential matches of one space, best first, as a recall answers. */
    static List<Match> matches(MemorySpaceId space, int count) {
        List<Match> matches = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            matches.add(Match.of(
                    memory("memory-" + (1000 + i)),
                    space,
                    Confidence.of(0.95 - i * 0.01),
                    "memory " + i + " about coffee"));
        }
        return matches;
    }

    static PartialResult tenMatches() {
        List<Match> matches = new ArrayList<>();
        for (Match m : matches(space(1), 10)) {
            matches.add(new Match(
                    m.memoryId(),
                    m.space(),
                    m.confidence(),
                    m.content(),
                    OptionalDouble.empty(),
                    OptionalDouble.of(m.confidence().value()),
                    Map.of(),
                    Optional.empty()));
        }
        return new PartialResult(space(1), NodeId.of("node-2"), matches, 1.0, Duration.ofMillis(3));
    }

    static PartialResult spreadRound() {
        return new PartialResult(
                space(2),
                NodeId.of("n2"),
                List.of(fullMatch("m1", space(2), 0.9), Match.of(memory("m2"), space(3), Confidence.of(0.5), "")),
                0.75,
                Duration.ofSeconds(1, 123_456_789),
                List.of(
                        new SpreadCrossing(memory("x"), Optional.of(space(7)), 0.4, 1),
                        new SpreadCrossing(memory("y"), Optional.empty(), 0.125, 10)));
    }

    static PartialResult seedFetch() {
        return new PartialResult(
                space(5),
                NodeId.of("n5"),
                List.of(),
                1.0,
                Duration.ZERO,
                List.of(),
                List.of(new SeedEmbedding(memory("a"), embedding(16)), new SeedEmbedding(memory("z.9"), embedding(3))));
    }

    static List<PartitionReply> everyReply() {
        return List.of(
                PartitionReply.answered(tenMatches()),
                PartitionReply.answered(spreadRound()),
                PartitionReply.answered(seedFetch()),
                PartitionReply.answered(new PartialResult(space(6), NodeId.of("n6"), List.of(), 0.0, Duration.ZERO)),
                PartitionReply.failed(space(10), TransportException.timeout("no answer in 500 ms")),
                PartitionReply.failed(space(11), TransportException.unreachable("connection refused")),
                PartitionReply.failed(space(12), TransportException.failed("engine failed: boom ☠", true)),
                PartitionReply.failed(space(13), TransportException.failed("bad state", false)),
                PartitionReply.failed(space(14), TransportException.rejected("limit too high")),
                PartitionReply.failed(space(15), TransportException.overloaded("at the admission cap")),
                PartitionReply.failed(space(16), new TransportException(MissingReason.TIMEOUT, true, null)));
    }

    // ---------------------------------------------------------------- views for comparing

    /** What of a failure travels: reason, flags, message. */
    record FailureView(MissingReason reason, boolean retryable, boolean overloaded, String message) {
        static FailureView of(TransportException e) {
            return new FailureView(e.reason(), e.isRetryable(), e.isOverloaded(), e.getMessage());
        }
    }

    /** A reply as a value: its result, or its space and failure. */
    record ReplyView(MemorySpaceId space, Optional<PartialResult> result, Optional<FailureView> failure) {}

    static List<ReplyView> view(List<PartitionReply> replies) {
        return replies.stream()
                .map(r -> new ReplyView(r.space(), r.result(), r.failure().map(FailureView::of)))
                .toList();
    }

    /** A partition request without its deadline. */
    record PartitionView(String queryId, MemorySpaceId space, PartitionTask task) {}

    record RequestView(String queryId, int reduceTo, List<PartitionView> partitions) {}

    static RequestView view(NodeRequest request) {
        return new RequestView(
                request.queryId(),
                request.reduceTo(),
                request.partitions().stream()
                        .map(p -> new PartitionView(p.queryId(), p.space(), p.task()))
                        .toList());
    }

    // ---------------------------------------------------------------- bytes

    static byte[] bytes(Consumer<ByteBuf> writer) {
        ByteBuf buf = Unpooled.buffer();
        try {
            writer.accept(buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    static byte[] encode(BinaryCodec codec, NodeRequest request) {
        return bytes(out -> codec.writeNodeRequest(request, out));
    }

    static byte[] encode(BinaryCodec codec, List<PartitionReply> replies) {
        return bytes(out -> codec.writeReplies(replies, out));
    }
}
