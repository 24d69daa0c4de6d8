package io.engram.query.transport.http.json;

import static io.engram.query.transport.http.json.StrictObject.printable;
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
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.SeedEmbedding;
import io.engram.query.api.SpreadCrossing;
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
        s.requireObject("", -1, null);
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
            int field = PARTIAL.indexOf(name);
            if (field < 0) {
                throw unknownField(name, "partial result", PARTIAL);
            }
            seen = mark(seen, field, "", -1, name);
            if (s.isNull()) {
                continue;
            }
            switch (name) {
                case "space" -> space = spaces.of(s.string("", -1, "space"), "", -1);
                case "node" -> {
                    String value = s.string("", -1, "node");
                    try {
                        node = NodeId.of(value);
                    } catch (IllegalArgumentException | NullPointerException e) {
                        throw refused("", -1, "node", e);
                    }
                }
                case "matches" -> matches = readMatches(s, spaces);
                case "confidence_adjustment" -> {
                    adjustment = s.number("", -1, "confidence_adjustment");
                    hasAdjustment = true;
                }
                case "latency_ms" -> {
                    latencyMillis = s.longInteger("", -1, "latency_ms");
                    if (latencyMillis < 0) {
                        throw new WireFormatException("latency_ms must be >= 0, got " + latencyMillis);
                    }
                }
                case "frontier" -> frontier = readFrontier(s, spaces);
                default -> seeds = readSeeds(s);
            }
        }
        if (space == null) {
            throw missingField("", -1, "space");
        }
        if (node == null) {
            throw missingField("", -1, "node");
        }
        if (!hasAdjustment) {
            throw missingField("", -1, "confidence_adjustment");
        }
        Duration latency = Duration.ofMillis(latencyMillis);
        try {
            return new PartialResult(space, node, matches, adjustment, latency, frontier, seeds);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw refused(e);
        }
    }

    private List<Match> readMatches(StrictStream s, SpaceIds spaces) throws IOException {
        s.requireArray("", -1, "matches");
        List<Match> matches = new ArrayList<>();
        int max = limits.maxArrayLength();
        for (int i = 0; s.nextElement(); i++) {
            if (i == max) {
                throw s.tooLong("matches", max);
            }
            matches.add(readMatch(s, spaces, i));
        }
        return matches;
    }

    private Match readMatch(StrictStream s, SpaceIds spaces, int i) throws IOException {
        s.requireObject("matches", i, null);
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
            seen = mark(seen, field, "matches", i, name);
            if (s.isNull()) {
                continue;
            }
            switch (name) {
                case "memory_id" -> id = memoryId(s, "matches", i);
                case "space" -> space = spaces.of(s.string("matches", i, "space"), "matches", i);
                case "confidence" -> {
                    double value = s.number("matches", i, "confidence");
                    try {
                        confidence = Confidence.of(value);
                    } catch (IllegalArgumentException | NullPointerException e) {
                        throw refused("matches", i, "confidence", e);
                    }
                }
                case "content" -> content = s.string("matches", i, "content");
                case "activation" -> activation = OptionalDouble.of(s.number("matches", i, "activation"));
                case "similarity" -> similarity = OptionalDouble.of(s.number("matches", i, "similarity"));
                case "fields" -> fields = readFields(s, i);
                default -> embedding = Optional.of(readEmbedding(s, "matches", i));
            }
        }
        if (id == null) {
            throw missingField("matches", i, "memory_id");
        }
        if (space == null) {
            throw missingField("matches", i, "space");
        }
        if (confidence == null) {
            throw missingField("matches", i, "confidence");
        }
        try {
            return new Match(id, space, confidence, content, activation, similarity, fields, embedding);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw refused(e);
        }
    }

    private static Map<String, String> readFields(StrictStream s, int i) throws IOException {
        s.requireObject("matches", i, "fields");
        Map<String, String> fields = new LinkedHashMap<>();
        for (String name = s.nextField(); name != null; name = s.nextField()) {
            if (!s.isString()) {
                throw new WireFormatException(
                        path("matches", i, "fields." + printable(name)) + " must be a string, got " + s.describe());
            }
            if (fields.put(name, s.text()) != null) {
                throw duplicateField("matches", i, "fields." + printable(name));
            }
        }
        return fields;
    }

    private List<SpreadCrossing> readFrontier(StrictStream s, SpaceIds spaces) throws IOException {
        s.requireArray("", -1, "frontier");
        List<SpreadCrossing> frontier = new ArrayList<>();
        int max = limits.maxArrayLength();
        for (int i = 0; s.nextElement(); i++) {
            if (i == max) {
                throw s.tooLong("frontier", max);
            }
            frontier.add(readCrossing(s, spaces, i));
        }
        return frontier;
    }

    private static SpreadCrossing readCrossing(StrictStream s, SpaceIds spaces, int i) throws IOException {
        s.requireObject("frontier", i, null);
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
            seen = mark(seen, field, "frontier", i, name);
            if (s.isNull()) {
                continue;
            }
            switch (name) {
                case "memory_id" -> id = memoryId(s, "frontier", i);
                case "space" -> space = Optional.of(spaces.of(s.string("frontier", i, "space"), "frontier", i));
                case "activation" -> {
                    activation = s.number("frontier", i, "activation");
                    hasActivation = true;
                }
                default -> {
                    hops = s.integer("frontier", i, "hops_used");
                    hasHops = true;
                }
            }
        }
        if (id == null) {
            throw missingField("frontier", i, "memory_id");
        }
        if (!hasActivation) {
            throw missingField("frontier", i, "activation");
        }
        if (!hasHops) {
            throw missingField("frontier", i, "hops_used");
        }
        try {
            return new SpreadCrossing(id, space, activation, hops);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw refused(e);
        }
    }

    private List<SeedEmbedding> readSeeds(StrictStream s) throws IOException {
        s.requireArray("", -1, "seeds");
        List<SeedEmbedding> seeds = new ArrayList<>();
        int max = limits.maxArrayLength();
        for (int i = 0; s.nextElement(); i++) {
            if (i == max) {
                throw s.tooLong("seeds", max);
            }
            s.requireObject("seeds", i, null);
            MemoryId id = null;
            Embedding embedding = null;
            int seen = 0;
            for (String name = s.nextField(); name != null; name = s.nextField()) {
                int field = SEED.indexOf(name);
                if (field < 0) {
                    throw unknownField(name, "seed", SEED);
                }
                seen = mark(seen, field, "seeds", i, name);
                if (s.isNull()) {
                    continue;
                }
                if (name.equals("memory_id")) {
                    id = memoryId(s, "seeds", i);
                } else {
                    embedding = readEmbedding(s, "seeds", i);
                }
            }
            if (id == null) {
                throw missingField("seeds", i, "memory_id");
            }
            if (embedding == null) {
                throw missingField("seeds", i, "embedding");
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
