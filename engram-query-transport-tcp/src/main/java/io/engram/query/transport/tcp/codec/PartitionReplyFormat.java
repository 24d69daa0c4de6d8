package io.engram.query.transport.tcp.codec;

import io.engram.query.api.Confidence;
import io.engram.query.api.Embedding;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.SeedEmbedding;
import io.engram.query.api.SpreadCrossing;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.TransportException;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** A node's answer, one {@link PartitionReply} per partition, in the payload layout (see {@link BinaryCodec}). */
final class PartitionReplyFormat {
    private static final int RESULT = 0;
    private static final int FAILURE = 1;
    private static final List<String> OUTCOMES = List.of("result", "failure");
    private static final MissingReason[] REASONS = MissingReason.values();
    private static final List<String> REASON_NAMES =
            Arrays.stream(REASONS).map(r -> r.name().toLowerCase(Locale.ROOT)).toList();

    /** The fewest bytes each entry of a list takes, which bounds a count by the bytes left. */
    private static final int MIN_REPLY_BYTES = 6;

    private static final int MIN_MATCH_BYTES = 16;
    private static final int MIN_CROSSING_BYTES = 12;
    private static final int MIN_SEED_BYTES = 7;

    private PartitionReplyFormat() {}

    // ---------------------------------------------------------------- writing

    static void write(List<PartitionReply> replies, ByteBuf out) {
        SpaceTable spaces = new SpaceTable();
        for (PartitionReply reply : replies) {
            spaces.add(reply.space());
            reply.result().ifPresent(result -> {
                result.matches().forEach(m -> spaces.add(m.space()));
                result.frontier().forEach(c -> c.space().ifPresent(spaces::add));
            });
        }
        out.writeByte(BinaryCodec.FORMAT_VERSION);
        spaces.write(out);
        PayloadWriter.varInt(out, replies.size());
        for (PartitionReply reply : replies) {
            if (reply.result().isPresent()) {
                out.writeByte(RESULT);
                writeResult(reply.result().get(), spaces, out);
            } else {
                TransportException failure = reply.failure().orElseThrow();
                out.writeByte(FAILURE);
                spaces.writeIndex(out, reply.space());
                out.writeByte(failure.reason().ordinal());
                PayloadWriter.bool(out, failure.isRetryable());
                PayloadWriter.bool(out, failure.isOverloaded());
                PayloadWriter.optionalString(out, Optional.ofNullable(failure.getMessage()));
            }
        }
    }

    private static void writeResult(PartialResult result, SpaceTable spaces, ByteBuf out) {
        spaces.writeIndex(out, result.space());
        PayloadWriter.string(out, result.node().value());
        PayloadWriter.varInt(out, result.matches().size());
        for (Match match : result.matches()) {
            PayloadWriter.string(out, match.memoryId().value());
            spaces.writeIndex(out, match.space());
            PayloadWriter.float64(out, match.confidence().value());
            PayloadWriter.string(out, match.content());
            PayloadWriter.optionalDouble(out, match.activation());
            PayloadWriter.optionalDouble(out, match.similarity());
            PayloadWriter.varInt(out, match.fields().size());
            for (Map.Entry<String, String> field : match.fields().entrySet()) {
                PayloadWriter.string(out, field.getKey());
                PayloadWriter.string(out, field.getValue());
            }
            PayloadWriter.bool(out, match.embedding().isPresent());
            match.embedding().ifPresent(e -> PayloadWriter.embedding(out, e));
        }
        PayloadWriter.float64(out, result.confidenceAdjustment());
        PayloadWriter.duration(out, result.latency());
        PayloadWriter.varInt(out, result.frontier().size());
        for (SpreadCrossing crossing : result.frontier()) {
            PayloadWriter.string(out, crossing.memory().value());
            PayloadWriter.bool(out, crossing.space().isPresent());
            crossing.space().ifPresent(space -> spaces.writeIndex(out, space));
            PayloadWriter.float64(out, crossing.activation());
            PayloadWriter.varInt(out, crossing.hopsUsed());
        }
        PayloadWriter.varInt(out, result.seeds().size());
        for (SeedEmbedding seed : result.seeds()) {
            PayloadWriter.string(out, seed.memory().value());
            PayloadWriter.embedding(out, seed.embedding());
        }
    }

    // ---------------------------------------------------------------- reading

    static List<PartitionReply> read(PayloadReader r) {
        r.format(BinaryCodec.FORMAT_VERSION);
        r.spaceTable();
        int count = r.count("replies", MIN_REPLY_BYTES);
        List<PartitionReply> replies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            r.enter("replies", i);
            if (r.ordinal("outcome", "outcome", OUTCOMES) == RESULT) {
                r.enter("result");
                PartialResult result = readResult(r);
                r.leave();
                replies.add(PartitionReply.answered(result));
            } else {
                MemorySpaceId space = r.space("space");
                r.enter("failure");
                TransportException failure = readFailure(r);
                r.leave();
                replies.add(PartitionReply.failed(space, failure));
            }
            r.leave();
        }
        r.end("replies");
        r.checkSpacesUsed();
        return replies;
    }

    /**
     * A partition's failure as the serving node had it: reason, flags and message. An overloaded failure is
     * {@code failed} and not retryable by definition ({@link TransportException#overloaded}); anything else is refused.
     */
    private static TransportException readFailure(PayloadReader r) {
        MissingReason reason = REASONS[r.ordinal("reason", "reason", REASON_NAMES)];
        boolean retryable = r.bool("retryable");
        boolean overloaded = r.bool("overloaded");
        String message = r.optionalString("message").orElse(null);
        if (overloaded) {
            if (reason != MissingReason.FAILED || retryable) {
                throw r.fail(
                        "overloaded",
                        "is only for a failed error that is not retryable, got reason "
                                + REASON_NAMES.get(reason.ordinal()) + (retryable ? ", retryable" : ""));
            }
            return TransportException.overloaded(message);
        }
        return new TransportException(reason, retryable, message);
    }

    private static PartialResult readResult(PayloadReader r) {
        MemorySpaceId space = r.space("space");
        NodeId node = r.id("node", NodeId::new);
        int matchCount = r.count("matches", MIN_MATCH_BYTES);
        List<Match> matches = new ArrayList<>(matchCount);
        for (int i = 0; i < matchCount; i++) {
            r.enter("matches", i);
            matches.add(readMatch(r));
            r.leave();
        }
        double adjustment = r.float64("confidenceAdjustment");
        Duration latency = r.duration("latency");
        int crossingCount = r.count("frontier", MIN_CROSSING_BYTES);
        List<SpreadCrossing> frontier = new ArrayList<>(crossingCount);
        for (int i = 0; i < crossingCount; i++) {
            r.enter("frontier", i);
            MemoryId memory = r.id("memory", MemoryId::new);
            Optional<MemorySpaceId> target = r.bool("space") ? Optional.of(r.space("space")) : Optional.empty();
            double activation = r.float64("activation");
            int hops = r.varInt("hopsUsed");
            frontier.add(new SpreadCrossing(memory, target, activation, hops));
            r.leave();
        }
        int seedCount = r.count("seeds", MIN_SEED_BYTES);
        List<SeedEmbedding> seeds = new ArrayList<>(seedCount);
        for (int i = 0; i < seedCount; i++) {
            r.enter("seeds", i);
            MemoryId memory = r.id("memory", MemoryId::new);
            Embedding embedding = r.embedding("embedding");
            seeds.add(new SeedEmbedding(memory, embedding));
            r.leave();
        }
        return new PartialResult(space, node, matches, adjustment, latency, frontier, seeds);
    }

    private static Match readMatch(PayloadReader r) {
        MemoryId memory = r.id("memoryId", MemoryId::new);
        MemorySpaceId space = r.space("space");
        Confidence confidence = QueryFormat.confidence(r, "confidence");
        String content = r.string("content");
        OptionalDouble activation = r.optionalDouble("activation");
        OptionalDouble similarity = r.optionalDouble("similarity");
        Map<String, String> fields = QueryFormat.fields(r, "fields");
        Optional<Embedding> embedding = r.optionalEmbedding("embedding");
        return new Match(memory, space, confidence, content, activation, similarity, fields, embedding);
    }
}
