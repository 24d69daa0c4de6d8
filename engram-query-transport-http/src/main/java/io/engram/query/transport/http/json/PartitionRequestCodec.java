package io.engram.query.transport.http.json;

import static io.engram.query.transport.http.json.QueryCodec.named;
import static io.engram.query.transport.http.json.StrictStream.mark;
import static io.engram.query.transport.http.json.StrictStream.missingField;
import static io.engram.query.transport.http.json.StrictStream.refused;
import static io.engram.query.transport.http.json.StrictStream.unknownField;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.Query;
import io.engram.query.api.SpreadQuery;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.SpreadStart;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the partition request with the streaming API, and writes its {@code spread_starts}: a round of a distributed
 * spread carries the previous round's whole frontier (a superstep its whole layer), hundreds of starts, as {@link PartialResultCodec} does for the
 * frontier. The query and the imagine cue, one small object each, are read as trees by {@link QueryCodec}. Same
 * fields, checks and messages as the tree model (see {@link PartialResultCodec} for the order of several errors).
 *
 * <p>The parser does not detect duplicate fields on this path: the request's own fields and its starts are checked
 * here, a bit per known field, and the query and the cue by the tree reader ({@code FAIL_ON_READING_DUP_TREE_KEY});
 * either way {@link WireFormat} then reports the duplicate with the parser's message.
 */
final class PartitionRequestCodec {
    static final int MAX_QUERY_ID_LENGTH = 128;
    private static final List<String> REQUEST =
            List.of("query_id", "space", "task", "query", "spread_starts", "imagine_cue");
    private static final List<String> KINDS = List.of(
            PartitionTask.Scan.KIND,
            PartitionTask.SpreadRun.KIND,
            PartitionTask.SpreadStep.KIND,
            PartitionTask.SeedFetch.KIND,
            PartitionTask.CueRecall.KIND);
    private static final List<String> START = List.of("memory_id", "activation", "hops_used");

    private final WireLimits limits;
    private final QueryCodec queries;
    private final ObjectReader trees;

    /**
     * @param trees reads one value as a tree, leaving the parser on it (no check for what follows), and fails on a
     *     duplicate field
     */
    PartitionRequestCodec(WireLimits limits, QueryCodec queries, ObjectReader trees) {
        this.limits = limits;
        this.queries = queries;
        this.trees = trees;
    }

    /** The spread starts a task carries on the wire: a spread run's starts, a superstep's activations. */
    static List<SpreadStart> starts(PartitionTask task) {
        if (task instanceof PartitionTask.SpreadRun run) {
            return run.starts();
        }
        if (task instanceof PartitionTask.SpreadStep step) {
            return step.activations();
        }
        return List.of();
    }

    static void writeStarts(List<SpreadStart> starts, JsonGenerator g) throws IOException {
        g.writeStartArray(starts, starts.size());
        for (SpreadStart start : starts) {
            g.writeStartObject();
            g.writeStringField("memory_id", start.memory().value());
            g.writeNumberField("activation", start.activation());
            g.writeNumberField("hops_used", start.hopsUsed());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    PartitionRequest read(StrictStream s, Deadline deadline) throws IOException {
        s.requireObject("", -1, null);
        String queryId = null;
        MemorySpaceId space = null;
        String kind = null;
        Query query = null;
        List<SpreadStart> starts = null;
        Embedding cue = null;
        int seen = 0;
        for (String name = s.nextField(); name != null; name = s.nextField()) {
            int field = REQUEST.indexOf(name);
            if (field < 0) {
                throw unknownField(name, "partition request", REQUEST);
            }
            seen = mark(seen, field, "", -1, name);
            if (s.isNull()) {
                continue;
            }
            switch (name) {
                case "query_id" -> {
                    queryId = s.string("", -1, "query_id");
                    if (queryId.isEmpty() || queryId.length() > MAX_QUERY_ID_LENGTH) {
                        throw new WireFormatException("query_id must have 1 to " + MAX_QUERY_ID_LENGTH
                                + " characters, got " + queryId.length());
                    }
                }
                case "space" -> {
                    String value = s.string("", -1, "space");
                    space = named("space", () -> MemorySpaceId.of(value));
                }
                case "task" -> {
                    kind = s.string("", -1, "task");
                    if (!KINDS.contains(kind)) {
                        throw new WireFormatException(
                                "unknown task '" + kind + "'; known tasks: " + String.join(", ", KINDS));
                    }
                }
                case "query" -> query = queries.read(tree(s, "query"), "query");
                case "spread_starts" -> starts = readStarts(s);
                default -> cue = queries.embedding(tree(s, "imagine_cue"), "imagine_cue");
            }
        }
        if (queryId == null) {
            throw missingField("", -1, "query_id");
        }
        if (space == null) {
            throw missingField("", -1, "space");
        }
        if (query == null) {
            throw missingField("", -1, "query");
        }
        try {
            return new PartitionRequest(queryId, space, deadline, task(kind, query, starts, cue));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw refused(e);
        }
    }

    /**
     * The task of {@code kind}, refusing a field or a query type the kind does not take. Without {@code task}, the
     * one the query needs when nothing is distributed about it: a scan, or a spread run ({@link PartitionTask#of}).
     */
    private static PartitionTask task(String given, Query query, List<SpreadStart> starts, Embedding cue) {
        String kind = given != null ? given : query instanceof SpreadQuery ? PartitionTask.SpreadRun.KIND : null;
        if (kind == null) {
            if (query instanceof ImagineQuery) {
                throw new WireFormatException("an imagine query needs a task: " + PartitionTask.SeedFetch.KIND + " or "
                        + PartitionTask.CueRecall.KIND);
            }
            kind = PartitionTask.Scan.KIND;
        }
        boolean spread = kind.equals(PartitionTask.SpreadRun.KIND) || kind.equals(PartitionTask.SpreadStep.KIND);
        if (starts != null && !spread) {
            throw new WireFormatException("spread_starts is only for " + PartitionTask.SpreadRun.KIND + " and "
                    + PartitionTask.SpreadStep.KIND + " tasks, not " + kind);
        }
        if (cue != null && !kind.equals(PartitionTask.CueRecall.KIND)) {
            throw new WireFormatException(
                    "imagine_cue is only for " + PartitionTask.CueRecall.KIND + " tasks, not " + kind);
        }
        if (spread && !(query instanceof SpreadQuery)) {
            throw wrongQuery(kind, "a spread", query);
        }
        boolean imagine = kind.equals(PartitionTask.SeedFetch.KIND) || kind.equals(PartitionTask.CueRecall.KIND);
        if (imagine && !(query instanceof ImagineQuery)) {
            throw wrongQuery(kind, "an imagine", query);
        }
        List<SpreadStart> carried = starts == null ? List.of() : starts;
        return switch (kind) {
            case PartitionTask.Scan.KIND -> new PartitionTask.Scan(query);
            case PartitionTask.SpreadRun.KIND -> new PartitionTask.SpreadRun((SpreadQuery) query, carried);
            case PartitionTask.SpreadStep.KIND -> new PartitionTask.SpreadStep((SpreadQuery) query, carried);
            case PartitionTask.SeedFetch.KIND -> new PartitionTask.SeedFetch((ImagineQuery) query);
            default -> {
                if (cue == null) {
                    throw missingField("", -1, "imagine_cue");
                }
                yield new PartitionTask.CueRecall((ImagineQuery) query, cue);
            }
        };
    }

    private static WireFormatException wrongQuery(String kind, String expected, Query query) {
        return new WireFormatException(
                "a " + kind + " task needs " + expected + " query, got " + PartitionTask.described(query));
    }

    /** The current value as a tree, for the codec that reads trees. */
    private JsonNode tree(StrictStream s, String field) throws IOException {
        try {
            return trees.readTree(s.parser());
        } catch (MismatchedInputException e) {
            if (String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
                // The tree reader's message does not give the place: WireFormat reads the body again, as the parser
                // did, for the parser's message.
                throw new WireFormatException("duplicate field in " + field);
            }
            throw e;
        }
    }

    private List<SpreadStart> readStarts(StrictStream s) throws IOException {
        s.requireArray("", -1, "spread_starts");
        List<SpreadStart> starts = new ArrayList<>();
        int max = limits.maxArrayLength();
        for (int i = 0; s.nextElement(); i++) {
            if (i == max) {
                throw s.tooLong("spread_starts", max);
            }
            starts.add(readStart(s, i));
        }
        return starts;
    }

    private static SpreadStart readStart(StrictStream s, int i) throws IOException {
        s.requireObject("spread_starts", i, null);
        MemoryId id = null;
        double activation = Double.NaN;
        boolean hasActivation = false;
        int hops = 0;
        boolean hasHops = false;
        int seen = 0;
        for (String name = s.nextField(); name != null; name = s.nextField()) {
            int field = START.indexOf(name);
            if (field < 0) {
                throw unknownField(name, "spread start", START);
            }
            seen = mark(seen, field, "spread_starts", i, name);
            if (s.isNull()) {
                continue;
            }
            switch (name) {
                case "memory_id" -> {
                    String value = s.string("spread_starts", i, "memory_id");
                    try {
                        id = MemoryId.of(value);
                    } catch (IllegalArgumentException | NullPointerException e) {
                        throw refused("spread_starts", i, "memory_id", e);
                    }
                }
                case "activation" -> {
                    activation = s.number("spread_starts", i, "activation");
                    hasActivation = true;
                }
                default -> {
                    hops = s.integer("spread_starts", i, "hops_used");
                    hasHops = true;
                }
            }
        }
        if (id == null) {
            throw missingField("spread_starts", i, "memory_id");
        }
        if (!hasActivation) {
            throw missingField("spread_starts", i, "activation");
        }
        if (!hasHops) {
            throw missingField("spread_starts", i, "hops_used");
        }
        try {
            return new SpreadStart(id, activation, hops);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw refused(e);
        }
    }
}
