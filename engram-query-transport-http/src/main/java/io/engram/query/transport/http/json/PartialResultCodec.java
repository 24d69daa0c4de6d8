package io.engram.query.transport.http.json;

import static io.engram.query.transport.http.json.StrictStream.duplicateField;
import static io.engram.query.transport.http.json.StrictStream.mark;
import static io.engram.query.transport.http.json.StrictStream.missingField;
import static io.engram.query.transport.http.json.StrictStream.path;
import static io.engram.query.transport.http.json.StrictStream.refused;
import static io.engram.query.transport.http.json.StrictStream.unknownField;

import com.fasterxml.jackson.core.JsonGenerator;
import io.engram.query.api.Confidence;
import io.engram.query.api.Embedding;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.Printable;
import io.engram.query.api.SeedEmbedding;
import io.engram.query.api.SpreadCrossing;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.TransportException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Writes and reads the partial result a partition sends its coordinator with Jackson's streaming API (JSON or
 * Smile): every round of every distributed query goes through here, and building and walking a tree per message cost
 * more than the rest of the codec.
 *
 * <p>The fields, their order on writing, the omitted optional fields and the numbers are those the tree model
 * wrote, so nodes of either kind read each other. Reading accepts fields in any order and is as strict as {@link
 * StrictObject}, with its messages: an unknown field, a missing required field ({@code null} is absent), a value of
 * the wrong type, an array longer than {@link WireLimits#maxArrayLength()}, a bad id. A duplicate field is found
 * here, a bit per known field (the parser's detection, a hash set per object, is off on this path), and reported
 * with the parser's message (see {@link WireFormat}). When a message holds several errors, the first in document
 * order is reported (the tree reported the first in the order the codec asked for fields).
 */
final class PartialResultCodec {
    private static final List<String> PARTIAL =
            List.of("space", "node", "matches", "confidence_adjustment", "latency_ms", "frontier", "seeds");
    private static final List<String> MATCH =
            List.of("memory_id", "space", "confidence", "content", "activation", "similarity", "fields", "embedding");
    /** An entry of a node's answer: a partial result, or a failed partition ({@code space} and {@code error}). */
    private static final List<String> REPLY =
            List.of("space", "node", "matches", "confidence_adjustment", "latency_ms", "frontier", "seeds", "error");

    private static final List<String> REPLIES = List.of("partitions");
    private static final List<String> ERROR = List.of("reason", "retryable", "overloaded", "message");
    private static final List<String> CROSSING = List.of("memory_id", "space", "activation", "hops_used");
    private static final List<String> SEED = List.of("memory_id", "embedding");
    /** Distinct space ids remembered per message; a partial names its own space and the few its spread reached. */
    private static final int MAX_REMEMBERED_SPACES = 64;

    private final WireLimits limits;
    private final QueryCodec queries;

    PartialResultCodec(WireLimits limits, QueryCodec queries) {
        this.limits = limits;
        this.queries = queries;
    }

    // ---------------------------------------------------------------- writing

    void write(PartialResult partial, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("space", partial.space().value());
        g.writeStringField("node", partial.node().value());
        g.writeFieldName("matches");
        g.writeStartArray();
        for (Match m : partial.matches()) {
            writeMatch(m, g);
        }
        g.writeEndArray();
        g.writeNumberField("confidence_adjustment", partial.confidenceAdjustment());
        g.writeNumberField("latency_ms", partial.latency().toMillis());
        if (!partial.frontier().isEmpty()) {
            g.writeFieldName("frontier");
            g.writeStartArray();
            for (SpreadCrossing crossing : partial.frontier()) {
                g.writeStartObject();
                g.writeStringField("memory_id", crossing.memory().value());
                if (crossing.space().isPresent()) {
                    g.writeStringField("space", crossing.space().get().value());
                }
                g.writeNumberField("activation", crossing.activation());
                g.writeNumberField("hops_used", crossing.hopsUsed());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (!partial.seeds().isEmpty()) {
            g.writeFieldName("seeds");
            g.writeStartArray();
            for (SeedEmbedding seed : partial.seeds()) {
                g.writeStartObject();
                g.writeStringField("memory_id", seed.memory().value());
                g.writeFieldName("embedding");
                writeEmbedding(seed.embedding(), g);
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void writeMatch(Match m, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeStringField("memory_id", m.memoryId().value());
        g.writeStringField("space", m.space().value());
        g.writeNumberField("confidence", m.confidence().value());
        g.writeStringField("content", m.content());
        if (m.activation().isPresent()) {
            g.writeNumberField("activation", m.activation().getAsDouble());
        }
        if (m.similarity().isPresent()) {
            g.writeNumberField("similarity", m.similarity().getAsDouble());
        }
        Map<String, String> fields = m.fields();
        if (!fields.isEmpty()) {
            g.writeFieldName("fields");
            g.writeStartObject();
            if (fields.size() == 1) {
                Map.Entry<String, String> field = fields.entrySet().iterator().next();
                g.writeStringField(field.getKey(), field.getValue());
            } else {
                // In name order, as the tree wrote them (a sorted array of names rather than a sorted copy).
                String[] names = fields.keySet().toArray(new String[0]);
                Arrays.sort(names);
                for (String name : names) {
                    g.writeStringField(name, fields.get(name));
                }
            }
            g.writeEndObject();
        }
        if (m.embedding().isPresent()) {
            g.writeFieldName("embedding");
            writeEmbedding(m.embedding().get(), g);
        }
        g.writeEndObject();
    }

    private static void writeEmbedding(Embedding embedding, JsonGenerator g) throws IOException {
        int dimensions = embedding.dimensions();
        g.writeStartArray(embedding, dimensions);
        for (int i = 0; i < dimensions; i++) {
            g.writeNumber(embedding.get(i));
        }
        g.writeEndArray();
    }

    // ---------------------------------------------------------------- reading

    /** Reads the partial result the parser's current token (the top-level value) starts. */
    PartialResult read(StrictStream s) throws IOException {
        return read(s, "", false).result().orElseThrow();
    }

    /**
     * Reads the entry of a node's answer at {@code at} ({@code partitions[2]}): a partial result, or a partition that
     * failed, {@code {"space": ..., "error": {"reason", "retryable", "overloaded", "message"}}}.
     */
    PartitionReply readReply(StrictStream s, String at) throws IOException {
        return read(s, at, true);
    }

    /** A partial result at {@code at}; with {@code reply}, or a failed partition. */
    private PartitionReply read(StrictStream s, String at, boolean reply) throws IOException {
        s.requireObject(at, -1, null);
        List<String> known = reply ? REPLY : PARTIAL;
        Optional<TransportException> failure = Optional.empty();
        SpaceIds spaces = new SpaceIds();
        MemorySpaceId space = null;
        NodeId node = null;
        List<Match> matches = List.of();
        double adjustment = Double.NaN;
        boolean hasAdjustment = false;
        long latencyMillis = 0;
        List<SpreadCrossing> frontier = List.of();
        List<SeedEmbedding> seeds = List.of();
        int seen = 0;
        for (String name = s.nextField(); name != null; name = s.nextField()) {
            int field = known.indexOf(name);
            if (field < 0) {
                throw unknownField(name, reply ? "partition reply" : "partial result", known);
            }
            seen = mark(seen, field, at, -1, name);
            if (s.isNull()) {
                continue;
            }
            switch (name) {
                case "space" -> space = spaces.of(s.string(at, -1, "space"), at, -1);
                case "node" -> {
                    String value = s.string(at, -1, "node");
                    try {
                        node = NodeId.of(value);
                    } catch (IllegalArgumentException | NullPointerException e) {
                        throw refused(at, -1, "node", e);
                    }
                }
                case "matches" -> matches = readMatches(s, spaces, child(at, "matches"));
                case "confidence_adjustment" -> {
                    adjustment = s.number(at, -1, "confidence_adjustment");
                    hasAdjustment = true;
                }
                case "latency_ms" -> {
                    latencyMillis = s.longInteger(at, -1, "latency_ms");
                    if (latencyMillis < 0) {
                        throw new WireFormatException(
                                path(at, -1, "latency_ms") + " must be >= 0, got " + latencyMillis);
                    }
                }
                case "frontier" -> frontier = readFrontier(s, spaces, child(at, "frontier"));
                case "seeds" -> seeds = readSeeds(s, child(at, "seeds"));
                default -> failure = Optional.of(readError(s, child(at, "error")));
            }
        }
        if (space == null) {
            throw missingField(at, -1, "space");
        }
        if (failure.isPresent()) {
            int others = seen & ~(1 << REPLY.indexOf("space")) & ~(1 << REPLY.indexOf("error"));
            if (others != 0) {
                throw new WireFormatException(prefix(at) + "a failed partition has only space and error, got "
                        + REPLY.get(Integer.numberOfTrailingZeros(others)));
            }
            return PartitionReply.failed(space, failure.get());
        }
        if (node == null) {
            throw missingField(at, -1, "node");
        }
        if (!hasAdjustment) {
            throw missingField(at, -1, "confidence_adjustment");
        }
        Duration latency = Duration.ofMillis(latencyMillis);
        try {
            return PartitionReply.answered(
                    new PartialResult(space, node, matches, adjustment, latency, frontier, seeds));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new WireFormatException(prefix(at) + e.getMessage());
        }
    }

    /** {@code partitions[2].matches}; on a top-level message (no allocation) {@code matches}. */
    private static String child(String at, String field) {
        return at.isEmpty() ? field : at + "." + field;
    }

    /** {@code "partitions[2]: "} before a message that names no field; nothing at the top level. */
    private static String prefix(String at) {
        return at.isEmpty() ? "" : at + ": ";
    }

    /**
     * A partition's failure, as {@link #writeError} wrote it: the {@link TransportException} the serving node had,
     * with its reason, flags and message. An overloaded failure is {@code failed} and not retryable by definition
     * ({@link TransportException#overloaded}); anything else is refused.
     */
    private static TransportException readError(StrictStream s, String at) throws IOException {
        s.requireObject(at, -1, null);
        MissingReason reason = null;
        boolean retryable = false;
        boolean overloaded = false;
        String message = null;
        int seen = 0;
        for (String name = s.nextField(); name != null; name = s.nextField()) {
            int field = ERROR.indexOf(name);
            if (field < 0) {
                throw unknownField(name, "partition error", ERROR);
            }
            seen = mark(seen, field, at, -1, name);
            if (s.isNull()) {
                continue;
            }
            switch (name) {
                case "reason" -> reason = reason(s.string(at, -1, "reason"), at);
                case "retryable" -> retryable = s.bool(at, -1, "retryable");
                case "overloaded" -> overloaded = s.bool(at, -1, "overloaded");
                default -> message = s.string(at, -1, "message");
            }
        }
        if (reason == null) {
            throw missingField(at, -1, "reason");
        }
        if (message == null) {
            throw missingField(at, -1, "message");
        }
        if (overloaded) {
            if (reason != MissingReason.FAILED || retryable) {
                throw new WireFormatException(path(at, -1, "overloaded")
                        + " is only for a failed error that is not retryable, got reason " + lower(reason)
                        + (retryable ? ", retryable" : ""));
            }
            return TransportException.overloaded(message);
        }
        return new TransportException(reason, retryable, message);
    }

    private static MissingReason reason(String value, String at) {
        for (MissingReason reason : MissingReason.values()) {
            if (lower(reason).equals(value)) {
                return reason;
            }
        }
        throw new WireFormatException(path(at, -1, "reason") + " must be one of "
                + String.join(
                        ", ",
                        Arrays.stream(MissingReason.values())
                                .map(PartialResultCodec::lower)
                                .toList())
                + ", got '" + Printable.of(value) + "'");
    }

    private static String lower(MissingReason reason) {
        return reason.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Reads a node's answer: {@code {"partitions": [...]}}, one entry per partition of its node request. */
    List<PartitionReply> readReplies(StrictStream s) throws IOException {
        s.requireObject("", -1, null);
        List<PartitionReply> replies = null;
        int seen = 0;
        for (String name = s.nextField(); name != null; name = s.nextField()) {
            int field = REPLIES.indexOf(name);
            if (field < 0) {
                throw unknownField(name, "node answer", REPLIES);
            }
            seen = mark(seen, field, "", -1, name);
            if (s.isNull()) {
                continue;
            }
            s.requireArray("", -1, "partitions");
            replies = new ArrayList<>();
            int max = limits.maxArrayLength();
            for (int i = 0; s.nextElement(); i++) {
                if (i == max) {
                    throw s.tooLong("partitions", max);
                }
                replies.add(readReply(s, path("partitions", i, null)));
            }
        }
        if (replies == null) {
            throw missingField("", -1, "partitions");
        }
        return replies;
    }

    void writeReplies(List<PartitionReply> replies, JsonGenerator g) throws IOException {
        g.writeStartObject();
        g.writeFieldName("partitions");
        g.writeStartArray(replies, replies.size());
        for (PartitionReply reply : replies) {
            writeReply(reply, g);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** Writes one entry of a node's answer: the partial result, or the partition's failure. */
    void writeReply(PartitionReply reply, JsonGenerator g) throws IOException {
        if (reply.result().isPresent()) {
            write(reply.result().get(), g);
            return;
        }
        TransportException failure = reply.failure().orElseThrow();
        g.writeStartObject();
        g.writeStringField("space", reply.space().value());
        g.writeFieldName("error");
        g.writeStartObject();
        g.writeStringField("reason", lower(failure.reason()));
        g.writeBooleanField("retryable", failure.isRetryable());
        g.writeBooleanField("overloaded", failure.isOverloaded());
        g.writeStringField("message", String.valueOf(failure.getMessage()));
        g.writeEndObject();
        g.writeEndObject();
    }

    private List<Match> readMatches(StrictStream s, SpaceIds spaces, String list) throws IOException {
        s.requireArray(list, -1, null);
        List<Match> matches = new ArrayList<>();
        int max = limits.maxArrayLength();
        for (int i = 0; s.nextElement(); i++) {
            if (i == max) {
                throw s.tooLong(list, max);
            }
            matches.add(readMatch(s, spaces, list, i));
        }
        return matches;
    }

    private Match readMatch(StrictStream s, SpaceIds spaces, String list, int i) throws IOException {
        s.requireObject(list, i, null);
        MemoryId id = null;
        MemorySpaceId space = null;
        Confidence confidence = null;
        String content = "";
        OptionalDouble activation = OptionalDouble.empty();
        OptionalDouble similarity = OptionalDouble.empty();
        Map<String, String> fields = Map.of();
        Optional<Embedding> embedding = Optional.empty();
        int seen = 0;
        for (String name = s.nextField(); name != null; name = s.nextField()) {
            int field = MATCH.indexOf(name);
            if (field < 0) {
                throw unknownField(name, "match", MATCH);
            }
            seen = mark(seen, field, list, i, name);
            if (s.isNull()) {
                continue;
            }
            switch (name) {
                case "memory_id" -> id = memoryId(s, list, i);
                case "space" -> space = spaces.of(s.string(list, i, "space"), list, i);
                case "confidence" -> {
                    double value = s.number(list, i, "confidence");
                    try {
                        confidence = Confidence.of(value);
                    } catch (IllegalArgumentException | NullPointerException e) {
                        throw refused(list, i, "confidence", e);
                    }
                }
                case "content" -> content = s.string(list, i, "content");
                case "activation" -> activation = OptionalDouble.of(s.number(list, i, "activation"));
                case "similarity" -> similarity = OptionalDouble.of(s.number(list, i, "similarity"));
                case "fields" -> fields = readFields(s, list, i);
                default -> embedding = Optional.of(readEmbedding(s, list, i));
            }
        }
        if (id == null) {
            throw missingField(list, i, "memory_id");
        }
        if (space == null) {
            throw missingField(list, i, "space");
        }
        if (confidence == null) {
            throw missingField(list, i, "confidence");
        }
        try {
            return new Match(id, space, confidence, content, activation, similarity, fields, embedding);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw refused(e);
        }
    }

    private static Map<String, String> readFields(StrictStream s, String list, int i) throws IOException {
        s.requireObject(list, i, "fields");
        Map<String, String> fields = new LinkedHashMap<>();
        for (String name = s.nextField(); name != null; name = s.nextField()) {
            if (!s.isString()) {
                throw new WireFormatException(
                        path(list, i, "fields." + Printable.of(name)) + " must be a string, got " + s.describe());
            }
            if (fields.put(name, s.text()) != null) {
                throw duplicateField(list, i, "fields." + Printable.of(name));
            }
        }
        return fields;
    }

    private List<SpreadCrossing> readFrontier(StrictStream s, SpaceIds spaces, String list) throws IOException {
        s.requireArray(list, -1, null);
        List<SpreadCrossing> frontier = new ArrayList<>();
        int max = limits.maxArrayLength();
        for (int i = 0; s.nextElement(); i++) {
            if (i == max) {
                throw s.tooLong(list, max);
            }
            frontier.add(readCrossing(s, spaces, list, i));
        }
        return frontier;
    }

    private static SpreadCrossing readCrossing(StrictStream s, SpaceIds spaces, String list, int i) throws IOException {
        s.requireObject(list, i, null);
        MemoryId id = null;
        Optional<MemorySpaceId> space = Optional.empty();
        double activation = Double.NaN;
        boolean hasActivation = false;
        int hops = 0;
        boolean hasHops = false;
        int seen = 0;
        for (String name = s.nextField(); name != null; name = s.nextField()) {
            int field = CROSSING.indexOf(name);
            if (field < 0) {
                throw unknownField(name, "frontier crossing", CROSSING);
            }
            seen = mark(seen, field, list, i, name);
            if (s.isNull()) {
                continue;
            }
            switch (name) {
                case "memory_id" -> id = memoryId(s, list, i);
                case "space" -> space = Optional.of(spaces.of(s.string(list, i, "space"), list, i));
                case "activation" -> {
                    activation = s.number(list, i, "activation");
                    hasActivation = true;
                }
                default -> {
                    hops = s.integer(list, i, "hops_used");
                    hasHops = true;
                }
            }
        }
        if (id == null) {
            throw missingField(list, i, "memory_id");
        }
        if (!hasActivation) {
            throw missingField(list, i, "activation");
        }
        if (!hasHops) {
            throw missingField(list, i, "hops_used");
        }
        try {
            return new SpreadCrossing(id, space, activation, hops);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw refused(e);
        }
    }

    private List<SeedEmbedding> readSeeds(StrictStream s, String list) throws IOException {
        s.requireArray(list, -1, null);
        List<SeedEmbedding> seeds = new ArrayList<>();
        int max = limits.maxArrayLength();
        for (int i = 0; s.nextElement(); i++) {
            if (i == max) {
                throw s.tooLong(list, max);
            }
            s.requireObject(list, i, null);
            MemoryId id = null;
            Embedding embedding = null;
            int seen = 0;
            for (String name = s.nextField(); name != null; name = s.nextField()) {
                int field = SEED.indexOf(name);
                if (field < 0) {
                    throw unknownField(name, "seed", SEED);
                }
                seen = mark(seen, field, list, i, name);
                if (s.isNull()) {
                    continue;
                }
                if (name.equals("memory_id")) {
                    id = memoryId(s, list, i);
                } else {
                    embedding = readEmbedding(s, list, i);
                }
            }
            if (id == null) {
                throw missingField(list, i, "memory_id");
            }
            if (embedding == null) {
                throw missingField(list, i, "embedding");
            }
            try {
                seeds.add(new SeedEmbedding(id, embedding));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw refused(e);
            }
        }
        return seeds;
    }

    private static MemoryId memoryId(StrictStream s, String parent, int index) throws IOException {
        String value = s.string(parent, index, "memory_id");
        // A plain try rather than QueryCodec.named's lambda, and the path built only for an error: this is per match.
        try {
            return MemoryId.of(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw refused(parent, index, "memory_id", e);
        }
    }

    /**
     * Reads an embedding with {@link QueryCodec#embedding}'s checks, in its order: the array's length first, then
     * its dimensions, then the first element that is not a finite 32-bit number.
     */
    private Embedding readEmbedding(StrictStream s, String parent, int index) throws IOException {
        s.requireArray(parent, index, "embedding");
        int max = limits.maxArrayLength();
        float[] values = new float[16];
        int size = 0;
        String firstError = null;
        while (s.nextElement()) {
            if (size == max) {
                throw s.tooLong(path(parent, index, "embedding"), max);
            }
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.min(max, values.length * 2));
            }
            if (s.isNumber()) {
                float value = (float) s.doubleValue();
                if (!Float.isFinite(value) && firstError == null) {
                    firstError = path(parent, index, "embedding") + "[" + size
                            + "] must be a finite 32-bit number, got " + s.numberText();
                }
                values[size] = value;
            } else if (firstError == null) {
                firstError = path(parent, index, "embedding") + "[" + size + "] must be a number, got " + s.describe();
                s.skipChildren();
            } else {
                s.skipChildren();
            }
            size++;
        }
        queries.checkDimensions(path(parent, index, "embedding"), size);
        if (firstError != null) {
            throw new WireFormatException(firstError);
        }
        return Embedding.of(size == values.length ? values : Arrays.copyOf(values, size));
    }

    /**
     * Space ids of one message already validated: the matches of a partial all name its space, and its frontier the
     * few spaces its spread reached, so most ids are looked up rather than checked against the id pattern again.
     */
    private static final class SpaceIds {
        private final Map<String, MemorySpaceId> seen = new HashMap<>();

        MemorySpaceId of(String value, String parent, int index) {
            MemorySpaceId id = seen.get(value);
            if (id == null) {
                try {
                    id = MemorySpaceId.of(value);
                } catch (IllegalArgumentException | NullPointerException e) {
                    throw refused(parent, index, "space", e);
                }
                if (seen.size() < MAX_REMEMBERED_SPACES) {
                    seen.put(value, id);
                }
            }
            return id;
        }
    }
}
