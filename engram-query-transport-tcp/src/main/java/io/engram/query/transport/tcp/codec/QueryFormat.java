package io.engram.query.transport.tcp.codec;

import io.engram.query.api.CompleteQuery;
import io.engram.query.api.Confidence;
import io.engram.query.api.Cue;
import io.engram.query.api.Embedding;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.PartialEmbedding;
import io.engram.query.api.Printable;
import io.engram.query.api.Query;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryType;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadQuery;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The four query types in the payload layout (see {@link BinaryCodec}). */
final class QueryFormat {
    private static final List<String> TYPES = List.of("recall", "spread", "complete", "imagine");

    private QueryFormat() {}

    /** Adds every space {@code query} names to {@code table}. */
    static void collectSpaces(Query query, SpaceTable table) {
        query.spaces().forEach(table::add);
    }

    // ---------------------------------------------------------------- writing

    static void write(Query query, SpaceTable spaces, ByteBuf out) {
        out.writeByte(query.type().ordinal());
        PayloadWriter.varInt(out, query.spaces().size());
        for (MemorySpaceId space : query.spaces()) {
            spaces.writeIndex(out, space);
        }
        switch (query.type()) {
            case RECALL -> {
                RecallQuery recall = (RecallQuery) query;
                PayloadWriter.bool(out, recall.cue().embedding().isPresent());
                recall.cue().embedding().ifPresent(e -> PayloadWriter.embedding(out, e));
                PayloadWriter.optionalString(out, recall.cue().content());
                PayloadWriter.float64(out, recall.minConfidence().value());
            }
            case SPREAD -> {
                SpreadQuery spread = (SpreadQuery) query;
                writeIds(spread.seeds(), out);
                PayloadWriter.varInt(out, spread.maxHops());
                PayloadWriter.float64(out, spread.decay());
                PayloadWriter.float64(out, spread.threshold());
            }
            case COMPLETE -> {
                CompleteQuery complete = (CompleteQuery) query;
                PayloadWriter.bool(out, complete.partialEmbedding().isPresent());
                complete.partialEmbedding().ifPresent(p -> writePartial(p, out));
                PayloadWriter.varInt(out, complete.knownFields().size());
                complete.knownFields().forEach((name, value) -> {
                    PayloadWriter.string(out, name);
                    PayloadWriter.string(out, value);
                });
            }
            case IMAGINE -> {
                ImagineQuery imagine = (ImagineQuery) query;
                writeIds(imagine.seeds(), out);
                PayloadWriter.float64(out, imagine.novelty());
            }
        }
        QueryOptions options = query.options();
        PayloadWriter.varInt(out, options.limit());
        PayloadWriter.bool(out, options.timeout().isPresent());
        options.timeout().ifPresent(t -> PayloadWriter.duration(out, t));
        PayloadWriter.optionalString(out, options.consistency());
        PayloadWriter.optionalString(out, options.mergePolicy());
        PayloadWriter.optionalString(out, options.planningStrategy());
    }

    private static void writeIds(List<MemoryId> ids, ByteBuf out) {
        PayloadWriter.varInt(out, ids.size());
        for (MemoryId id : ids) {
            PayloadWriter.string(out, id.value());
        }
    }

    private static void writePartial(PartialEmbedding partial, ByteBuf out) {
        int dimensions = partial.dimensions();
        PayloadWriter.varInt(out, dimensions);
        byte[] bitmap = new byte[(dimensions + 7) / 8];
        float[] known = new float[partial.knownCount()];
        for (int i = 0, next = 0; i < dimensions; i++) {
            if (partial.isKnown(i)) {
                bitmap[i >>> 3] |= (byte) (1 << (i & 7));
                known[next++] = partial.get(i);
            }
        }
        out.writeBytes(bitmap);
        PayloadWriter.floats(out, known, known.length);
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads the query at the reader's current path ({@code queries[0]}). A model constructor's refusal leaves here
     * with the reader on the value it refused, for {@link BinaryCodec} to name.
     */
    static Query read(PayloadReader r) {
        QueryType type = QueryType.values()[r.ordinal("type", "query type", TYPES)];
        int count = r.count("spaces", 1);
        List<MemorySpaceId> spaces = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            r.enter("spaces", i);
            spaces.add(r.space(null));
            r.leave();
        }
        return switch (type) {
            case RECALL -> {
                r.enter("cue");
                Optional<Embedding> embedding = r.optionalEmbedding("embedding");
                Optional<String> content = r.optionalString("content");
                Cue cue = new Cue(embedding, content);
                r.leave();
                Confidence min = confidence(r, "minConfidence");
                yield new RecallQuery(spaces, cue, min, options(r));
            }
            case SPREAD -> {
                List<MemoryId> seeds = ids(r, "seeds");
                int maxHops = r.varInt("maxHops");
                double decay = r.float64("decay");
                double threshold = r.float64("threshold");
                yield new SpreadQuery(seeds, spaces, maxHops, decay, threshold, options(r));
            }
            case COMPLETE -> {
                Optional<PartialEmbedding> partial = r.bool("partialEmbedding")
                        ? Optional.of(r.partialEmbedding("partialEmbedding"))
                        : Optional.empty();
                Map<String, String> known = fields(r, "knownFields");
                yield new CompleteQuery(spaces, partial, known, options(r));
            }
            case IMAGINE -> {
                List<MemoryId> seeds = ids(r, "seeds");
                double novelty = r.float64("novelty");
                yield new ImagineQuery(seeds, spaces, novelty, options(r));
            }
        };
    }

    static Confidence confidence(PayloadReader r, String leaf) {
        double value = r.float64(leaf);
        try {
            return Confidence.of(value);
        } catch (IllegalArgumentException e) {
            throw r.fail(leaf, e.getMessage());
        }
    }

    private static QueryOptions options(PayloadReader r) {
        r.enter("options");
        int limit = r.varInt("limit");
        Optional<Duration> timeout = r.bool("timeout") ? Optional.of(r.duration("timeout")) : Optional.empty();
        Optional<String> consistency = r.optionalString("consistency");
        Optional<String> merge = r.optionalString("mergePolicy");
        Optional<String> planning = r.optionalString("planningStrategy");
        QueryOptions options = new QueryOptions(limit, timeout, consistency, merge, planning);
        r.leave();
        return options;
    }

    private static List<MemoryId> ids(PayloadReader r, String list) {
        int count = r.count(list, 2);
        List<MemoryId> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            r.enter(list, i);
            ids.add(r.id(null, MemoryId::new));
            r.leave();
        }
        return ids;
    }

    /** A map of names to values in the order written; a name written twice is refused. */
    static Map<String, String> fields(PayloadReader r, String list) {
        int count = r.count(list, 2);
        if (count == 0) {
            return Map.of();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            r.enter(list, i);
            String name = r.string("name");
            String value = r.string("value");
            if (fields.putIfAbsent(name, value) != null) {
                throw r.fail("name", "repeats '" + Printable.of(name) + "'");
            }
            r.leave();
        }
        return fields;
    }
}
