package io.engram.query.transport.http.json;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.engram.query.api.Confidence;
import io.engram.query.api.Deadline;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.Printable;
import io.engram.query.api.Query;
import io.engram.query.api.QueryResult;
import io.engram.query.planner.membership.Ack;
import io.engram.query.planner.membership.Probe;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The wire format of Engram Query: queries, query results, and the node-to-node partition request and partial
 * result, in JSON (snake_case) or in Smile, its binary equivalent with the same fields. Jackson databind reads and
 * writes them ({@link WireModule} binds the api's records, {@link QueryJson} and {@link NodeJson} the messages whose
 * shape is not a model record).
 *
 * <p>Reading is strict and bounded: an unknown or duplicate field, a missing required field ({@code null} counts as
 * absent), a value of the wrong type or out of range, an embedding of the wrong length, a document too large or too
 * deep all fail with a {@link WireFormatException} whose message names the field's path ({@code
 * matches[2].confidence}) and what is allowed, and is safe to return to the sender. Thread-safe.
 */
public final class WireFormat {
    public static final String JSON_MEDIA_TYPE = "application/json";
    public static final String SMILE_MEDIA_TYPE = "application/x-jackson-smile";

    private static final Pattern CLASS_NAME = Pattern.compile("\\s*\\(?[^()`]*`[\\w$.]+`[^()]*\\)?");
    private static final Set<Class<?>> STRINGS = Set.of(MemoryId.class, MemorySpaceId.class, NodeId.class);
    private static final Set<Class<?>> INTEGERS = Set.of(Integer.TYPE, Integer.class, Long.TYPE, Long.class);
    private static final Set<Class<?>> NUMBERS =
            Set.of(Double.TYPE, Double.class, Float.TYPE, Float.class, Confidence.class, OptionalDouble.class);
    private static final Pattern CREATOR_PROPERTY = Pattern.compile("^(Missing required|Null value for) creator");

    private final ObjectMapper mapper;
    private final String mediaType;
    private final String formatName;
    private final WireLimits limits;
    private final ObjectReader queries, results, partials, partitionRequests, nodeRequests, nodeReplies, trees;
    private final ObjectReader probes, acks;
    private final ObjectWriter queryWriter, resultWriter, partialWriter;

    private WireFormat(JsonFactory factory, String mediaType, String formatName, WireLimits limits) {
        this.mapper = JsonMapper.builder(factory)
                .addModule(new Jdk8Module())
                .addModule(new WireModule(limits))
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .serializationInclusion(JsonInclude.Include.NON_ABSENT)
                .enable(EnumFeature.WRITE_ENUMS_TO_LOWERCASE)
                .enable(
                        DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                        DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                        DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES,
                        DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // absent or null lists and maps are empty; a string is never a number or a boolean read as text
                .withConfigOverride(
                        List.class, o -> o.setSetterInfo(JsonSetter.Value.construct(Nulls.AS_EMPTY, Nulls.FAIL)))
                .withConfigOverride(
                        Map.class, o -> o.setSetterInfo(JsonSetter.Value.construct(Nulls.AS_EMPTY, Nulls.FAIL)))
                .withCoercionConfig(
                        LogicalType.Textual,
                        c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .build();
        this.mediaType = mediaType;
        this.formatName = formatName;
        this.limits = limits;
        this.queries = mapper.readerFor(Query.class);
        this.results = mapper.readerFor(QueryResult.class);
        this.partials = mapper.readerFor(PartialResult.class);
        this.partitionRequests = mapper.readerFor(NodeJson.PartitionRequestJson.class);
        this.nodeRequests = mapper.readerFor(NodeJson.NodeRequestJson.class);
        this.nodeReplies = mapper.readerFor(NodeJson.NodeAnswerJson.class);
        this.trees = mapper.readerFor(JsonNode.class);
        this.probes = mapper.readerFor(NodeJson.MembershipMessageJson.class);
        this.acks = mapper.readerFor(Ack.class);
        // writers of a declared type find their serializer once, not per message
        this.queryWriter = mapper.writerFor(Query.class);
        this.resultWriter = mapper.writerFor(QueryResult.class);
        this.partialWriter = mapper.writerFor(PartialResult.class);
    }

    /** The JSON wire format with these limits. */
    public static WireFormat json(WireLimits limits) {
        requireNonNull(limits, "limits is null");
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(constraints(limits))
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // Embeddings are hundreds of floats: Jackson's fast (Schubfach / FastDoubleParser) paths give the
                // same values as the JDK's, for a fraction of the time.
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                .build();
        return new WireFormat(factory, JSON_MEDIA_TYPE, "JSON", limits);
    }

    /** The Smile (binary JSON) wire format with these limits; same fields as JSON, smaller and faster numbers. */
    public static WireFormat smile(WireLimits limits) {
        requireNonNull(limits, "limits is null");
        SmileFactory factory = SmileFactory.builder()
                .streamReadConstraints(constraints(limits))
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return new WireFormat(factory, SMILE_MEDIA_TYPE, "Smile", limits);
    }

    private static StreamReadConstraints constraints(WireLimits limits) {
        return StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxNestingDepth())
                .maxStringLength(limits.maxStringLength())
                .maxDocumentLength(limits.maxDocumentBytes())
                .maxNumberLength(64)
                .maxNameLength(1024)
                .build();
    }

    /** The Content-Type of this format's messages. */
    public String mediaType() {
        return mediaType;
    }

    public WireLimits limits() {
        return limits;
    }

    public Query readQuery(byte[] body) {
        return read(body, queries);
    }

    public byte[] writeQuery(Query query) {
        return write(queryWriter, requireNonNull(query, "query is null"));
    }

    public QueryResult readResult(byte[] body) {
        return read(body, results);
    }

    public byte[] writeResult(QueryResult result) {
        return write(resultWriter, requireNonNull(result, "result is null"));
    }

    /** The {@code missing_partitions} array of a coverage, for error bodies. */
    public ArrayNode toTree(List<MissingPartition> missing) {
        return mapper.valueToTree(requireNonNull(missing, "missing is null"));
    }

    /** Reads a partition request ({@link NodeJson.PartitionRequestJson}); {@code deadline} is the header's. */
    public PartitionRequest readPartitionRequest(byte[] body, Deadline deadline) {
        requireNonNull(deadline, "deadline is null");
        return read(body, partitionRequests, (NodeJson.PartitionRequestJson r) -> r.request(deadline));
    }

    public byte[] writePartitionRequest(PartitionRequest request) {
        return write(NodeJson.PartitionRequestJson.of(requireNonNull(request, "request is null")));
    }

    /** Reads a node request ({@link NodeJson.NodeRequestJson}); each partition gets a child of {@code deadline}. */
    public NodeRequest readNodeRequest(byte[] body, Deadline deadline) {
        requireNonNull(deadline, "deadline is null");
        return read(body, nodeRequests, (NodeJson.NodeRequestJson r) -> r.request(deadline));
    }

    public byte[] writeNodeRequest(NodeRequest request) {
        return write(NodeJson.NodeRequestJson.of(requireNonNull(request, "request is null")));
    }

    public PartialResult readPartialResult(byte[] body) {
        return read(body, partials);
    }

    public byte[] writePartialResult(PartialResult partial) {
        return write(partialWriter, requireNonNull(partial, "partial result is null"));
    }

    /**
     * Reads a node's answer: {@code {"partitions": [...]}}, each a partial result or {@code {"space", "error"}}; whether
     * they match the request (one per partition, same spaces, same order) is the caller's check.
     */
    public List<PartitionReply> readNodeReplies(byte[] body) {
        return read(body, nodeReplies, NodeJson.NodeAnswerJson::partitions);
    }

    public byte[] writeNodeReplies(List<PartitionReply> replies) {
        return write(new NodeJson.NodeAnswerJson(requireNonNull(replies, "replies is null")));
    }

    /** Reads a message of the peer-health protocol ({@link NodeJson.MembershipMessageJson}). */
    public Probe readProbe(byte[] body) {
        return read(body, probes, NodeJson.MembershipMessageJson::probe);
    }

    public byte[] writeProbe(Probe probe) {
        return write(NodeJson.MembershipMessageJson.of(requireNonNull(probe, "probe is null")));
    }

    /** Reads the answer to a probe; {@link #write(Object)} writes one. */
    public Ack readAck(byte[] body) {
        return read(body, acks);
    }

    /** Parses any document of this format into a tree, with the same limits and error messages. */
    public JsonNode readTree(byte[] body) {
        return read(body, trees);
    }

    /** Serialises a message, a tree or a plain value (maps, lists, strings, numbers, booleans). */
    public byte[] write(Object value) {
        return write(mapper.writer(), value);
    }

    private static byte[] write(ObjectWriter writer, Object value) {
        try {
            return writer.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private <T> T read(byte[] body, ObjectReader reader) {
        return read(body, reader, (T value) -> value);
    }

    /** Reads a message and converts it to the model with {@code then}, whose refusals are the sender's errors too. */
    private <T, R> R read(byte[] body, ObjectReader reader, Function<T, R> then) {
        requireNonNull(body, "body is null");
        // checked here, so the parser's own document-length limit (the same) never trips first
        if (body.length > limits.maxDocumentBytes()) {
            throw tooLarge(body.length);
        }
        try (JsonParser parser = mapper.createParser(body)) {
            // the parser stays open while an error is translated: its current token is the value refused
            try {
                if (parser.nextToken() == null) {
                    throw new WireFormatException("body is empty; expected a " + formatName + " object");
                }
                T value = reader.readValue(parser);
                if (value == null) { // a top-level null, which databind reads as no value
                    throw new WireFormatException("body must be an object, got null");
                }
                return then.apply(value);
            } catch (WireFormatException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw refused(e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The one translation of a failed read into the message for the sender: the field's path from the mapping
     * exception ({@code matches[2].confidence}), then what was wrong and what is allowed; the message of a model
     * constructor that refused its values; or where a body is malformed or over a limit.
     */
    private WireFormatException refused(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StreamConstraintsException limit) {
                return constraintViolation(limit);
            }
        }
        if (!(e instanceof JsonMappingException m)) {
            return new WireFormatException(
                    e instanceof JsonProcessingException p
                            ? malformed(p)
                            : e instanceof IllegalArgumentException || e instanceof NullPointerException
                                    ? e.getMessage()
                                    : "body could not be read as " + formatName);
        }
        if (m.getCause() instanceof JsonProcessingException p && !(p instanceof InputCoercionException)) {
            return new WireFormatException(malformed(p)); // a parser's error, with a path added by databind
        }
        String path = path(m.getPath());
        String at = path.isEmpty() ? "body" : path;
        Throwable cause = m.getCause();
        String original = String.valueOf(m.getOriginalMessage());
        if (m instanceof WireModule.Refusal refusal) {
            return new WireFormatException(at + " " + refusal.problem);
        }
        if (cause instanceof IllegalArgumentException || cause instanceof NullPointerException) {
            return new WireFormatException((path.isEmpty() ? "" : path + ": ") + cause.getMessage());
        }
        if (m instanceof InvalidFormatException f
                && f.getTargetType() != null
                && f.getTargetType().isEnum()) {
            List<String> known = Arrays.stream(f.getTargetType().getEnumConstants())
                    .map(constant -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT))
                    .toList();
            return new WireFormatException(at + " must be one of " + String.join(", ", known) + ", got '"
                    + Printable.of(String.valueOf(f.getValue())) + "'");
        }
        if (m instanceof UnrecognizedPropertyException u) {
            List<Object> known = new java.util.ArrayList<>(u.getKnownPropertyIds());
            if (u.getReferringClass() != null && QueryJson.class.isAssignableFrom(u.getReferringClass())) {
                known.add("type"); // read by the type dispatch, not a property of the query's record
            }
            return new WireFormatException("unknown field '" + path + "' in " + words(u.getReferringClass())
                    + "; known: " + String.join(", ", sorted(known)));
        }
        if (m instanceof InvalidTypeIdException t) {
            String types = String.join(", ", QueryJson.TYPES);
            return new WireFormatException(
                    t.getTypeId() == null
                            ? "missing field '" + (path.isEmpty() ? "" : path + ".") + "type'; known types: " + types
                            : (path.isEmpty() ? "" : path + ": ") + "unknown query type '" + Printable.of(t.getTypeId())
                                    + "'; known: " + types);
        }
        if (original.startsWith("Trailing token")) {
            return new WireFormatException(malformed(m));
        }
        if (CREATOR_PROPERTY.matcher(original).find()) {
            return new WireFormatException("missing field '" + path + "'");
        }
        if (cause instanceof InputCoercionException overflow) {
            boolean isLong = overflow.getTargetType() == Long.TYPE || overflow.getTargetType() == Long.class;
            return new WireFormatException(at + " must be a " + (isLong ? 64 : 32) + "-bit integer, got "
                    + describe((JsonParser) overflow.getProcessor()));
        }
        if (m instanceof MismatchedInputException mismatch && m.getProcessor() instanceof JsonParser parser) {
            Class<?> target = mismatch.getTargetType();
            if (target != null && target.isArray() && !parser.isExpectedStartArrayToken()) {
                target = target.getComponentType(); // an element of the array was refused
            }
            return new WireFormatException(at + " must be " + expected(target) + ", got " + describe(parser));
        }
        return new WireFormatException(
                at + ": " + CLASS_NAME.matcher(original).replaceAll("").trim());
    }

    /** {@code matches[2].confidence} from Jackson's path of references. */
    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder out = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                out.append(out.length() == 0 ? "" : ".").append(Printable.of(reference.getFieldName()));
            } else if (reference.getIndex() >= 0) {
                out.append('[').append(reference.getIndex()).append(']');
            }
        }
        return out.toString();
    }

    /** What a refused object is, for messages: {@code SpreadCrossing} is a spread crossing. */
    private static String words(Class<?> type) {
        String name = type == null ? "object" : type.getSimpleName().replaceFirst("Json$", "");
        return name.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }

    private static List<String> sorted(Collection<Object> names) {
        return names.stream().map(String::valueOf).sorted().toList();
    }

    /** What a value of {@code type} looks like on the wire, for messages. */
    private static String expected(Class<?> type) {
        if (type == null) {
            return "a valid value";
        }
        if (CharSequence.class.isAssignableFrom(type) || STRINGS.contains(type)) {
            return "a string";
        }
        if (INTEGERS.contains(type)) {
            return "an integer";
        }
        if (NUMBERS.contains(type)) {
            return "a number";
        }
        if (type == Boolean.TYPE || type == Boolean.class) {
            return "true or false";
        }
        return type.isArray() || Collection.class.isAssignableFrom(type) ? "an array" : "an object";
    }

    /** The JSON type of the parser's current value, for messages; the value itself only for numbers. */
    static String describe(JsonParser p) {
        try {
            JsonToken token = p.currentToken();
            if (token == null) {
                return "nothing";
            }
            return switch (token) {
                case VALUE_NULL -> "null";
                case VALUE_STRING -> "a string";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case START_ARRAY -> "an array";
                case START_OBJECT, FIELD_NAME -> "an object";
                case VALUE_NUMBER_INT -> p.getNumberValue().toString();
                case VALUE_NUMBER_FLOAT -> Double.toString(p.getDoubleValue());
                default -> "a " + token.name().toLowerCase(Locale.ROOT);
            };
        } catch (IOException e) {
            return "an unreadable value";
        }
    }

    private WireFormatException tooLarge(int length) {
        return new WireFormatException("body must be at most " + limits.maxDocumentBytes() + " bytes, got " + length);
    }

    private WireFormatException constraintViolation(StreamConstraintsException e) {
        String message = String.valueOf(e.getOriginalMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("nesting depth")) {
            return new WireFormatException(formatName + " nesting depth must be at most " + limits.maxNestingDepth());
        }
        if (message.contains("string value length")) {
            return new WireFormatException(
                    "a string value must be at most " + limits.maxStringLength() + " characters long");
        }
        if (message.contains("number value length")) {
            return new WireFormatException("a number must be at most 64 characters long");
        }
        if (message.contains("name length")) {
            return new WireFormatException("a field name must be at most 1024 characters long");
        }
        return new WireFormatException("body exceeds a parser limit");
    }

    private String malformed(JsonProcessingException e) {
        String detail = String.valueOf(e.getOriginalMessage());
        if (detail.startsWith("Trailing token")) {
            detail = "unexpected content after the top-level value";
        }
        detail = CLASS_NAME.matcher(detail).replaceAll("").trim();
        JsonLocation location = e.getLocation();
        String where;
        if (location == null) {
            where = "";
        } else if (location.getLineNr() > 0) {
            where = " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        } else {
            where = " at byte " + location.getByteOffset();
        }
        return "malformed " + formatName + where + ": " + detail;
    }
}
