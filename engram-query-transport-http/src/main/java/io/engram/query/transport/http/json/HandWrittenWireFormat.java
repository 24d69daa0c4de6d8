package io.engram.query.transport.http.json;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import io.engram.query.api.Deadline;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.PartialResult;
import io.engram.query.api.Query;
import io.engram.query.api.QueryResult;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.SpreadStart;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * The hand-written wire format that {@link WireFormat} (Jackson databind) replaces, kept only until BenchmarkWireFormat
 * has measured both in one run; nothing else calls it.
 *
 * <p>The wire format of Engram Query: queries, query results, and the node-to-node partition request and partial
 * result, in JSON (snake_case) or in Smile, its binary equivalent with the same fields.
 *
 * <p>Reading is strict and bounded: an unknown field, a missing required field, a value of the wrong type or out of
 * range, an embedding of the wrong length, a document too large or too deep all fail with a {@link
 * WireFormatException} whose message names the field and is safe to return to the sender. Thread-safe.
 */
public final class HandWrittenWireFormat {
    public static final String JSON_MEDIA_TYPE = "application/json";
    public static final String SMILE_MEDIA_TYPE = "application/x-jackson-smile";

    private static final Pattern CLASS_NAME = Pattern.compile("\\s*\\(?[^()`]*`[\\w$.]+`[^()]*\\)?");

    private final ObjectMapper mapper;
    /** The factory of the streaming reads: as {@link #mapper}'s, without the parser's duplicate detection. */
    private final JsonFactory streaming;

    private final String mediaType;
    private final String formatName;
    private final WireLimits limits;
    private final QueryCodec queries;
    private final ResultCodec results;
    private final PartialResultCodec partials;
    private final PartitionRequestCodec requests;
    private final boolean textual;
    private final AtomicReference<CachedQuery> lastQuery = new AtomicReference<>();

    /**
     * @param factory detects duplicate fields ({@code STRICT_DUPLICATE_DETECTION}): trees, and the error path of the
     *     streaming reads
     * @param streaming the same without that detection (a hash set per object): the streaming reads, whose codecs
     *     detect duplicates themselves
     */
    private HandWrittenWireFormat(
            JsonFactory factory, JsonFactory streaming, String mediaType, String formatName, WireLimits limits) {
        this.mapper = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.streaming = streaming;
        this.mediaType = mediaType;
        this.formatName = formatName;
        this.limits = limits;
        this.queries = new QueryCodec(limits);
        this.results = new ResultCodec(limits, queries);
        this.partials = new PartialResultCodec(limits, queries);
        this.requests = new PartitionRequestCodec(
                limits,
                queries,
                mapper.reader()
                        .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                        .with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY));
        this.textual = !factory.canHandleBinaryNatively();
    }

    /** The JSON wire format with these limits. */
    public static HandWrittenWireFormat json(WireLimits limits) {
        requireNonNull(limits, "limits is null");
        return new HandWrittenWireFormat(
                jsonFactory(limits, true), jsonFactory(limits, false), JSON_MEDIA_TYPE, "JSON", limits);
    }

    private static JsonFactory jsonFactory(WireLimits limits, boolean detectDuplicates) {
        return JsonFactory.builder()
                .streamReadConstraints(constraints(limits))
                .configure(StreamReadFeature.STRICT_DUPLICATE_DETECTION, detectDuplicates)
                // Embeddings are hundreds of floats: the JDK's float formatting and parsing cost ~0.6 ms per
                // 768-float request; Jackson's fast (Schubfach / FastDoubleParser) paths give the same values.
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                .build();
    }

    /** The Smile (binary JSON) wire format with these limits; same fields as JSON, smaller and faster numbers. */
    public static HandWrittenWireFormat smile(WireLimits limits) {
        requireNonNull(limits, "limits is null");
        return new HandWrittenWireFormat(
                smileFactory(limits, true), smileFactory(limits, false), SMILE_MEDIA_TYPE, "Smile", limits);
    }

    /*
     * A factory per setting of duplicate detection, not JsonParser#disable on a parser of the detecting one: that
     * drops the detector of a JSON parser (ParserBase) but not of a Smile parser, which sets its detector up only
     * when it is created (jackson-dataformat-smile 2.21).
     */
    private static JsonFactory smileFactory(WireLimits limits, boolean detectDuplicates) {
        return SmileFactory.builder()
                .streamReadConstraints(constraints(limits))
                .configure(StreamReadFeature.STRICT_DUPLICATE_DETECTION, detectDuplicates)
                .build();
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

    // ---------------------------------------------------------------- queries

    public Query readQuery(byte[] body) {
        return queries.read(parse(body), "");
    }

    public byte[] writeQuery(Query query) {
        return write(queries.write(requireNonNull(query, "query is null")));
    }

    public ObjectNode toTree(Query query) {
        return queries.write(requireNonNull(query, "query is null"));
    }

    // ---------------------------------------------------------------- results

    public QueryResult readResult(byte[] body) {
        return results.readResult(parse(body));
    }

    public byte[] writeResult(QueryResult result) {
        return write(results.write(requireNonNull(result, "result is null")));
    }

    public ObjectNode toTree(QueryResult result) {
        return results.write(requireNonNull(result, "result is null"));
    }

    /** The {@code missing_partitions} array of a coverage, for error bodies. */
    public ArrayNode toTree(List<MissingPartition> missing) {
        return results.missingNode(requireNonNull(missing, "missing is null"));
    }

    // ---------------------------------------------------------------- node to node

    /**
     * Reads a partition request: {@code {"query_id": ..., "space": ..., "task": ..., "query": {...}}}, where
     * {@code task} names the {@link io.engram.query.spi.PartitionTask} kind ({@code scan}, {@code spread-run},
     * {@code spread-step}, {@code seed-fetch}, {@code cue-recall}); a spread task adds
     * {@code "spread_starts": [{"memory_id": ..., "activation": ..., "hops_used": ...}]} (absent when empty) and a cue
     * recall {@code "imagine_cue": [floats]}. The deadline does not travel in the body; the caller builds it from the
     * {@code Engram-Deadline-Ms} header.
     */
    public PartitionRequest readPartitionRequest(byte[] body, Deadline deadline) {
        requireNonNull(deadline, "deadline is null");
        return read(body, parser -> requests.read(new StrictStream(parser), deadline));
    }

    public byte[] writePartitionRequest(PartitionRequest request) {
        requireNonNull(request, "request is null");
        // A coordinator sends the same query to every partition: write its JSON (hundreds of embedding floats) once.
        String query = textual ? queryJson(request.query()) : null;
        return written(textual ? query.length() + 128 : 512, g -> writePartition(request, true, g));
    }

    /**
     * Reads a node request: {@code {"query_id": ..., "reduce_to": 0, "partitions": [...]}}, each partition a
     * partition request without {@code query_id} (see {@link #readPartitionRequest}), at least one, each space once.
     * {@code reduce_to} is optional (0). Every partition gets a {@linkplain Deadline#child() child} of
     * {@code deadline}, the one deadline of the exchange.
     */
    public NodeRequest readNodeRequest(byte[] body, Deadline deadline) {
        requireNonNull(deadline, "deadline is null");
        return read(body, parser -> requests.readNode(new StrictStream(parser), deadline));
    }

    public byte[] writeNodeRequest(NodeRequest request) {
        requireNonNull(request, "request is null");
        int partitions = request.partitions().size();
        // the partitions of a round usually carry one query: queryJson writes it once for all of them
        String query = textual ? queryJson(request.partitions().get(0).query()) : null;
        return written(textual ? (query.length() + 128) * partitions + 64 : 512 * partitions, g -> {
            g.writeStartObject();
            g.writeStringField("query_id", request.queryId());
            g.writeNumberField("reduce_to", request.reduceTo());
            g.writeFieldName("partitions");
            g.writeStartArray(request, partitions);
            for (PartitionRequest partition : request.partitions()) {
                writePartition(partition, false, g);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** One partition request, with its query id at the top level, without it inside a node request. */
    private void writePartition(PartitionRequest request, boolean withQueryId, JsonGenerator g) throws IOException {
        g.writeStartObject();
        if (withQueryId) {
            g.writeStringField("query_id", request.queryId());
        }
        g.writeStringField("space", request.space().value());
        g.writeStringField("task", request.task().kind());
        g.writeFieldName("query");
        if (textual) {
            g.writeRawValue(queryJson(request.query()));
        } else {
            mapper.writeTree(g, queryTree(request.query()));
        }
        List<SpreadStart> starts = PartitionRequestCodec.starts(request.task());
        if (!starts.isEmpty()) {
            g.writeFieldName("spread_starts");
            PartitionRequestCodec.writeStarts(starts, g);
        }
        if (request.task() instanceof PartitionTask.CueRecall recall) {
            g.writeFieldName("imagine_cue");
            mapper.writeTree(g, queries.embeddingNode(recall.cue()));
        }
        g.writeEndObject();
    }

    private String queryJson(Query query) {
        CachedQuery cached = lastQuery.get();
        if (cached != null && cached.query() == query) {
            return cached.json();
        }
        String json;
        try {
            json = mapper.writeValueAsString(queries.write(query));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        lastQuery.set(new CachedQuery(query, json, null));
        return json;
    }

    /** Smile's counterpart of {@link #queryJson}: the tree, built once (a generator can not take raw Smile). */
    private ObjectNode queryTree(Query query) {
        CachedQuery cached = lastQuery.get();
        if (cached != null && cached.query() == query) {
            return cached.tree();
        }
        ObjectNode tree = queries.write(query);
        lastQuery.set(new CachedQuery(query, null, tree));
        return tree;
    }

    /**
     * The last query written, by identity: one slot is enough for a coordinator's fan-out of one query. JSON keeps
     * its text, Smile its tree (only read once published).
     */
    private record CachedQuery(Query query, String json, ObjectNode tree) {}

    /**
     * Reads a partial result with the streaming API (no tree: this is on every round of every distributed query);
     * the limits, the checks and the messages are those of the other messages.
     */
    public PartialResult readPartialResult(byte[] body) {
        return read(body, parser -> partials.read(new StrictStream(parser)));
    }

    /** Writes a partial result, streaming, with the fields and numbers the tree model wrote. */
    public byte[] writePartialResult(PartialResult partial) {
        requireNonNull(partial, "partial result is null");
        return written(g -> partials.write(partial, g));
    }

    /**
     * Reads a node's answer to a node request: {@code {"partitions": [...]}}, each entry a partial result or
     * {@code {"space": ..., "error": {"reason", "retryable", "overloaded", "message"}}} for a partition that failed
     * there. Whether the entries match the request (one per partition, same spaces, same order) is the caller's check.
     */
    public List<PartitionReply> readNodeReplies(byte[] body) {
        return read(body, parser -> partials.readReplies(new StrictStream(parser)));
    }

    public byte[] writeNodeReplies(List<PartitionReply> replies) {
        requireNonNull(replies, "replies is null");
        return written(g -> partials.writeReplies(replies, g));
    }

    /**
     * A message written by {@code writer}, as ObjectMapper.writeValueAsBytes does it: into the factory's recycled
     * buffers, not a new ByteArrayOutputStream.
     */
    private byte[] written(StreamWriter writer) {
        try (ByteArrayBuilder out = new ByteArrayBuilder(mapper.getFactory()._getBufferRecycler())) {
            try (JsonGenerator g = mapper.createGenerator(out, JsonEncoding.UTF8)) {
                writer.write(g);
            }
            return out.getClearAndRelease();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A message written by {@code writer} into a buffer of {@code size} bytes to start with. */
    private byte[] written(int size, StreamWriter writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(size);
        try (JsonGenerator g = mapper.getFactory().createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @FunctionalInterface
    private interface StreamWriter {
        void write(JsonGenerator g) throws IOException;
    }

    // ---------------------------------------------------------------- trees

    /** Parses any document of this format into a tree, with the same limits and error messages. */
    public JsonNode readTree(byte[] body) {
        return parse(body);
    }

    /** Serialises a tree or plain value (maps, lists, strings, numbers, booleans). */
    public byte[] write(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a message of a streaming codec, with {@link #parse}'s limits and error messages. The parser does not
     * detect duplicate fields (the codecs do, for less); on any field error the body is read again by a parser that
     * does, so that a duplicate field, or a malformed body, is reported as the parser reported it.
     */
    private <T> T read(byte[] body, StreamReader<T> reader) {
        requireNonNull(body, "body is null");
        if (body.length > limits.maxDocumentBytes()) {
            throw tooLarge(body.length);
        }
        try (JsonParser parser = streaming.createParser(body)) {
            if (parser.nextToken() == null) {
                throw new WireFormatException("body is empty; expected a " + formatName + " object");
            }
            T value;
            try {
                value = reader.read(parser);
            } catch (WireFormatException e) {
                // The tree model parsed the whole body before looking at a field: a body that is also malformed
                // (or over a limit, or with a duplicate field anywhere) is reported as such, as it was.
                scan(body);
                throw e;
            }
            checkEnd(parser);
            return value;
        } catch (IOException e) {
            throw unreadable(e, body.length);
        }
    }

    /** A body the parser refused: over a parser limit, malformed, or not readable at all. */
    private WireFormatException unreadable(IOException e, int length) {
        if (e instanceof JsonProcessingException processing) {
            StreamConstraintsException limit = constraintCause(processing);
            return limit != null ? constraintViolation(limit, length) : new WireFormatException(malformed(processing));
        }
        return new WireFormatException("body could not be read as " + formatName);
    }

    /** Parses the whole body with duplicate detection, for its first error in document order. */
    private void scan(byte[] body) throws IOException {
        try (JsonParser parser = mapper.createParser(body)) {
            parser.nextToken();
            parser.skipChildren();
            checkEnd(parser);
        }
    }

    private static void checkEnd(JsonParser parser) throws IOException {
        if (parser.nextToken() != null) {
            throw new JsonParseException(parser, "Trailing token", parser.currentTokenLocation());
        }
    }

    /** Reads one message from a parser on its first token. */
    @FunctionalInterface
    private interface StreamReader<T> {
        T read(JsonParser parser) throws IOException;
    }

    private JsonNode parse(byte[] body) {
        requireNonNull(body, "body is null");
        if (body.length > limits.maxDocumentBytes()) {
            throw tooLarge(body.length);
        }
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new WireFormatException("body is empty; expected a " + formatName + " object");
            }
            return node;
        } catch (IOException e) {
            throw unreadable(e, body.length);
        }
    }

    private WireFormatException tooLarge(int length) {
        return new WireFormatException("body must be at most " + limits.maxDocumentBytes() + " bytes, got " + length);
    }

    private static StreamConstraintsException constraintCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StreamConstraintsException sce) {
                return sce;
            }
        }
        return null;
    }

    private WireFormatException constraintViolation(StreamConstraintsException e, int length) {
        String message = String.valueOf(e.getOriginalMessage()).toLowerCase(java.util.Locale.ROOT);
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
        if (message.contains("document length")) {
            return tooLarge(length);
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
