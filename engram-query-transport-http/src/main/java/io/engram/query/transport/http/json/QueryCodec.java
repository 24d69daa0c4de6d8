package io.engram.query.transport.http.json;

import static io.engram.query.transport.http.json.StrictObject.asArray;
import static io.engram.query.transport.http.json.StrictObject.asString;
import static io.engram.query.transport.http.json.StrictObject.describe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** Maps the four query types to and from JSON trees, strictly (see {@link StrictObject}). */
final class QueryCodec {
    static final List<String> TYPES = List.of("recall", "spread", "complete", "imagine");
    private static final List<String> OPTIONS =
            List.of("limit", "timeout_ms", "consistency", "merge_policy", "planning_strategy");
    private static final List<String> RECALL = fields("type", "spaces", "cue", "min_confidence");
    private static final List<String> SPREAD = fields("type", "seeds", "spaces", "max_hops", "decay", "threshold");
    private static final List<String> COMPLETE = fields("type", "spaces", "partial_embedding", "known_fields");
    private static final List<String> IMAGINE = fields("type", "seeds", "spaces", "novelty");
    private static final List<String> CUE = List.of("embedding", "content");

    private final WireLimits limits;
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    QueryCodec(WireLimits limits) {
        this.limits = limits;
    }

    private static List<String> fields(String... own) {
        return Stream.concat(Stream.of(own), OPTIONS.stream()).toList();
    }

    // ---------------------------------------------------------------- reading

    /** Reads a query object found at {@code path} ({@code ""} at the top level). */
    Query read(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new WireFormatException(
                    (path.isEmpty() ? "query" : path) + " must be an object, got " + describe(node));
        }
        JsonNode typeNode = node.get("type");
        String typePath = path.isEmpty() ? "type" : path + ".type";
        if (typeNode == null || typeNode.isNull()) {
            throw new WireFormatException("missing field '" + typePath + "'; known types: " + String.join(", ", TYPES));
        }
        String type = asString(typeNode, typePath);
        return switch (type) {
            case "recall" -> readRecall(StrictObject.of(node, path, "recall query", RECALL));
            case "spread" -> readSpread(StrictObject.of(node, path, "spread query", SPREAD));
            case "complete" -> readComplete(StrictObject.of(node, path, "complete query", COMPLETE));
            case "imagine" -> readImagine(StrictObject.of(node, path, "imagine query", IMAGINE));
            default ->
                throw new WireFormatException(
                        "unknown query type '" + Printable.of(type) + "'; known: " + String.join(", ", TYPES));
        };
    }

    private RecallQuery readRecall(StrictObject o) {
        List<MemorySpaceId> spaces = spaces(o);
        StrictObject cueObject = StrictObject.of(o.required("cue"), o.path("cue"), "cue", CUE);
        Optional<Embedding> embedding =
                cueObject.optional("embedding").map(v -> embedding(v, cueObject.path("embedding")));
        Optional<String> content = cueObject.string("content");
        Cue cue = api(() -> new Cue(embedding, content));
        double minConfidence = o.number("min_confidence").orElse(0.0);
        Confidence min = api(() -> Confidence.of(Query.checkRange(o.path("min_confidence"), minConfidence, 0.0, 1.0)));
        QueryOptions options = options(o);
        return api(() -> new RecallQuery(spaces, cue, min, options));
    }

    private SpreadQuery readSpread(StrictObject o) {
        List<MemoryId> seeds = seeds(o);
        List<MemorySpaceId> spaces = spaces(o);
        int maxHops = o.integer("max_hops").orElse(SpreadQuery.DEFAULT_MAX_HOPS);
        double decay = o.number("decay").orElse(SpreadQuery.DEFAULT_DECAY);
        double threshold = o.number("threshold").orElse(SpreadQuery.DEFAULT_THRESHOLD);
        QueryOptions options = options(o);
        return api(() -> new SpreadQuery(seeds, spaces, maxHops, decay, threshold, options));
    }

    private CompleteQuery readComplete(StrictObject o) {
        List<MemorySpaceId> spaces = spaces(o);
        Optional<PartialEmbedding> partial =
                o.optional("partial_embedding").map(v -> partialEmbedding(v, o.path("partial_embedding")));
        Map<String, String> known = new LinkedHashMap<>();
        o.object("known_fields").ifPresent(fieldsNode -> {
            if (fieldsNode.size() > CompleteQuery.MAX_FIELDS) {
                throw new WireFormatException(o.path("known_fields") + " must have at most " + CompleteQuery.MAX_FIELDS
                        + " entries, got " + fieldsNode.size());
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = fieldsNode.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                known.put(e.getKey(), asString(e.getValue(), o.path("known_fields") + "." + Printable.of(e.getKey())));
            }
        });
        QueryOptions options = options(o);
        return api(() -> new CompleteQuery(spaces, partial, known, options));
    }

    private ImagineQuery readImagine(StrictObject o) {
        List<MemoryId> seeds = seeds(o);
        List<MemorySpaceId> spaces = spaces(o);
        double novelty = o.number("novelty").orElse(0.0);
        QueryOptions options = options(o);
        return api(() -> new ImagineQuery(seeds, spaces, novelty, options));
    }

    private QueryOptions options(StrictObject o) {
        int limit = o.integer("limit").orElse(QueryOptions.DEFAULT_LIMIT);
        Optional<Duration> timeout = o.longInteger("timeout_ms").map(Duration::ofMillis);
        Optional<String> consistency = o.string("consistency");
        Optional<String> merge = o.string("merge_policy");
        Optional<String> planning = o.string("planning_strategy");
        return api(() -> new QueryOptions(limit, timeout, consistency, merge, planning));
    }

    private List<MemorySpaceId> spaces(StrictObject o) {
        return ids(o, "spaces", MemorySpaceId::of);
    }

    private List<MemoryId> seeds(StrictObject o) {
        return ids(o, "seeds", MemoryId::of);
    }

    private <T> List<T> ids(StrictObject o, String field, Function<String, T> parse) {
        List<JsonNode> items = o.array(field, limits.maxArrayLength()).orElse(List.of());
        List<T> ids = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            String itemPath = o.path(field) + "[" + i + "]";
            String text = asString(items.get(i), itemPath);
            ids.add(named(itemPath, () -> parse.apply(text)));
        }
        return ids;
    }

    Embedding embedding(JsonNode value, String path) {
        List<JsonNode> items = asArray(value, path, limits.maxArrayLength());
        checkDimensions(path, items.size());
        float[] values = new float[items.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode item = items.get(i);
            if (!item.isNumber()) {
                throw new WireFormatException(path + "[" + i + "] must be a number, got " + describe(item));
            }
            values[i] = finite(path, i, item);
        }
        return Embedding.of(values);
    }

    private PartialEmbedding partialEmbedding(JsonNode value, String path) {
        List<JsonNode> items = asArray(value, path, limits.maxArrayLength());
        checkDimensions(path, items.size());
        List<Float> values = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (item.isNull()) {
                values.add(null);
            } else if (item.isNumber()) {
                values.add(finite(path, i, item));
            } else {
                throw new WireFormatException(path + "[" + i + "] must be a number or null, got " + describe(item));
            }
        }
        return api(() -> PartialEmbedding.of(values));
    }

    private static float finite(String path, int index, JsonNode item) {
        float f = (float) item.doubleValue();
        if (!Float.isFinite(f)) {
            throw new WireFormatException(
                    path + "[" + index + "] must be a finite 32-bit number, got " + item.asText());
        }
        return f;
    }

    void checkDimensions(String path, int size) {
        if (size < 1 || size > Embedding.MAX_DIMENSIONS) {
            throw new WireFormatException(
                    path + " must have 1 to " + Embedding.MAX_DIMENSIONS + " dimensions, got " + size);
        }
        limits.dimensions().ifPresent(expected -> {
            if (size != expected) {
                throw new WireFormatException(path + " must have " + expected + " dimensions, got " + size);
            }
        });
    }

    /** Runs a model constructor, turning its validation message into a wire-format error. */
    static <T> T api(Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new WireFormatException(String.valueOf(e.getMessage()));
        }
    }

    /** As {@link #api}, prefixing the message with the field, for value types whose messages do not name it. */
    static <T> T named(String path, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new WireFormatException(path + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- writing

    ObjectNode write(Query query) {
        ObjectNode o = nodes.objectNode();
        o.put("type", query.type().name().toLowerCase(Locale.ROOT));
        if (query instanceof RecallQuery recall) {
            o.set("spaces", spacesNode(recall.spaces()));
            ObjectNode cue = o.putObject("cue");
            recall.cue().embedding().ifPresent(e -> cue.set("embedding", embeddingNode(e)));
            recall.cue().content().ifPresent(c -> cue.put("content", c));
            o.put("min_confidence", recall.minConfidence().value());
        } else if (query instanceof SpreadQuery spread) {
            o.set("seeds", idsNode(spread.seeds()));
            o.set("spaces", spacesNode(spread.spaces()));
            o.put("max_hops", spread.maxHops());
            o.put("decay", spread.decay());
            o.put("threshold", spread.threshold());
        } else if (query instanceof CompleteQuery complete) {
            o.set("spaces", spacesNode(complete.spaces()));
            complete.partialEmbedding().ifPresent(p -> {
                ArrayNode array = o.putArray("partial_embedding");
                for (int i = 0; i < p.dimensions(); i++) {
                    if (p.isKnown(i)) {
                        array.add(p.get(i));
                    } else {
                        array.addNull();
                    }
                }
            });
            if (!complete.knownFields().isEmpty()) {
                ObjectNode known = o.putObject("known_fields");
                complete.knownFields().forEach(known::put);
            }
        } else if (query instanceof ImagineQuery imagine) {
            o.set("seeds", idsNode(imagine.seeds()));
            o.set("spaces", spacesNode(imagine.spaces()));
            o.put("novelty", imagine.novelty());
        }
        QueryOptions options = query.options();
        o.put("limit", options.limit());
        options.timeout().ifPresent(t -> o.put("timeout_ms", t.toMillis()));
        options.consistency().ifPresent(c -> o.put("consistency", c));
        options.mergePolicy().ifPresent(m -> o.put("merge_policy", m));
        options.planningStrategy().ifPresent(p -> o.put("planning_strategy", p));
        return o;
    }

    ArrayNode embeddingNode(Embedding embedding) {
        ArrayNode array = nodes.arrayNode(embedding.dimensions());
        for (int i = 0; i < embedding.dimensions(); i++) {
            array.add(embedding.get(i));
        }
        return array;
    }

    private ArrayNode spacesNode(List<MemorySpaceId> spaces) {
        ArrayNode array = nodes.arrayNode(spaces.size());
        spaces.forEach(s -> array.add(s.value()));
        return array;
    }

    private ArrayNode idsNode(List<MemoryId> ids) {
        ArrayNode array = nodes.arrayNode(ids.size());
        ids.forEach(id -> array.add(id.value()));
        return array;
    }
}
