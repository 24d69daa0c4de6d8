package io.engram.query.transport.http.json;

import static io.engram.query.transport.http.json.QueryCodec.named;
import static io.engram.query.transport.http.json.StrictStream.mark;
import static io.engram.query.transport.http.json.StrictStream.missingField;
import static io.engram.query.transport.http.json.StrictStream.path;
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
import io.engram.query.spi.NodeRequest;
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
    /** A partition of a node request: a partition request without {@code query_id}, which the node request has. */
    private static final List<String> NODE_PARTITION = REQUEST.subList(1, REQUEST.size());

    private static final List<String> NODE_REQUEST = List.of("query_id", "reduce_to", "partitions");
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
        Partition read = readPartition(s, "", -1, true);
        if (read.queryId() == null) {
            throw missingField("", -1, "query_id");
        }
        return read.request(read.queryId(), deadline);
    }

    /**
     * Reads a node request: {@code {"query_id", "reduce_to", "partitions": [...]}}, each partition a partition
     * request without its {@code query_id}, read by the same code as a partition request. Each partition gets its
     * own {@linkplain Deadline#child() child} of {@code deadline}, so that one can be cancelled without the others.
     */
    NodeRequest readNode(StrictStream s, Deadline deadline) throws IOException {
        s.requireObject("", -1, null);
        String queryId = null;
        int reduceTo = 0;
        List<Partition> partitions = null;
        int seen = 0;
        for (String name = s.nextField(); name != null; name = s.nextField()) {
            int field = NODE_REQUEST.indexOf(name);
            if (field < 0) {
                throw unknownField(name, "node request", NODE_REQUEST);
            }
            seen = mark(seen, field, "", -1, name);
            if (s.isNull()) {
                continue;
            }
            switch (name) {
                case "query_id" -> queryId = queryId(s, "", -1);
                case "reduce_to" -> {
                    reduceTo = s.integer("", -1, "reduce_to");
                    if (reduceTo < 0) {
                        throw new WireFormatException("reduce_to must be >= 0, got " + reduceTo);
                    }
                }
                default -> {
                    s.requireArray("", -1, "partitions");
                    partitions = new ArrayList<>();
                    int max = limits.maxArrayLength();
                    for (int i = 0; s.nextElement(); i++) {
                        if (i == max) {
                            throw s.tooLong("partitions", max);
                        }
                        partitions.add(readPartition(s, "partitions", i, false));
                    }
                }
            }
        }
        if (queryId == null) {
            throw missingField("", -1, "query_id");
        }
        if (partitions == null) {
            throw missingField("", -1, "partitions");
        }
        List<PartitionRequest> requests = new ArrayList<>(partitions.size());
        for (Partition partition : partitions) {
            requests.add(partition.request(queryId, deadline.child()));
        }
        try {
            return new NodeRequest(queryId, requests, reduceTo);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw refused(e);
        }
    }

    /** One partition as read, before it has its deadline (and, in a node request, its query id). */
    private record Partition(String queryId, MemorySpaceId space, PartitionTask task) {
        PartitionRequest request(String id, Deadline deadline) {
            return new PartitionRequest(id, space, deadline, task);
        }
    }

    /**
     * Reads the partition request object at {@code parent[index]}: with its {@code query_id} at the top level of a
     * partition request, without it as an entry of a node request.
     */
    private Partition readPartition(StrictStream s, String parent, int index, boolean withQueryId) throws IOException {
        s.requireObject(parent, index, null);
        List<String> known = withQueryId ? REQUEST : NODE_PARTITION;
        String queryId = null;
        MemorySpaceId space = null;
        String kind = null;
        Query query = null;
        List<SpreadStart> starts = null;
        Embedding cue = null;
        int seen = 0;
        for (String name = s.nextField(); name != null; name = s.nextField()) {
            int field = known.indexOf(name);
            if (field < 0) {
                throw unknownField(name, withQueryId ? "partition request" : "node request partition", known);
            }
            seen = mark(seen, field, parent, index, name);
            if (s.isNull()) {
                continue;
            }
            switch (name) {
                case "query_id" -> queryId = queryId(s, parent, index);
                case "space" -> {
                    String value = s.string(parent, index, "space");
                    space = named(path(parent, index, "space"), () -> MemorySpaceId.of(value));
                }
                case "task" -> {
                    kind = s.string(parent, index, "task");
                    if (!KINDS.contains(kind)) {
                        throw new WireFormatException(prefix(parent, index) + "unknown task '" + kind
                                + "'; known tasks: " + String.join(", ", KINDS));
                    }
                }
                case "query" -> query = queries.read(tree(s, "query"), path(parent, index, "query"));
                case "spread_starts" -> starts = readStarts(s, path(parent, index, "spread_starts"));
                default -> {
                    String at = path(parent, index, "imagine_cue");
                    cue = queries.embedding(tree(s, at), at);
                }
            }
        }
        if (space == null) {
            throw missingField(parent, index, "space");
        }
        if (query == null) {
            throw missingField(parent, index, "query");
        }
        try {
            return new Partition(queryId, space, task(kind, query, starts, cue, parent, index));
        } catch (WireFormatException e) {
            throw e;
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new WireFormatException(prefix(parent, index) + e.getMessage());
        }
    }

    /** {@code "partitions[2]: "} before a message that names no field, for a partition of a node request. */
    private static String prefix(String parent, int index) {
        String at = path(parent, index, null);
        return at.isEmpty() ? "" : at + ": ";
    }

    private static String queryId(StrictStream s, String parent, int index) throws IOException {
        String queryId = s.string(parent, index, "query_id");
        if (queryId.isEmpty() || queryId.length() > MAX_QUERY_ID_LENGTH) {
            throw new WireFormatException(path(parent, index, "query_id") + " must have 1 to " + MAX_QUERY_ID_LENGTH
                    + " characters, got " + queryId.length());
        }
        return queryId;
    }

    /**
     * The task of {@code kind}, refusing a field or a query type the kind does not take. Without {@code task}, the
     * one the query needs when nothing is distributed about it: a scan, or a spread run ({@link PartitionTask#of}).
     */
    private static PartitionTask task(
            String given, Query query, List<SpreadStart> starts, Embedding cue, String parent, int index) {
        String at = prefix(parent, index);
        String kind = given != null ? given : query instanceof SpreadQuery ? PartitionTask.SpreadRun.KIND : null;
        if (kind == null) {
            if (query instanceof ImagineQuery) {
                throw new WireFormatException(at + "an imagine query needs a task: " + PartitionTask.SeedFetch.KIND
                        + " or " + PartitionTask.CueRecall.KIND);
            }
            kind = PartitionTask.Scan.KIND;
        }
        boolean spread = kind.equals(PartitionTask.SpreadRun.KIND) || kind.equals(PartitionTask.SpreadStep.KIND);
        if (starts != null && !spread) {
            throw new WireFormatException(at + "spread_starts is only for " + PartitionTask.SpreadRun.KIND + " and "
                    + PartitionTask.SpreadStep.KIND + " tasks, not " + kind);
        }
        if (cue != null && !kind.equals(PartitionTask.CueRecall.KIND)) {
            throw new WireFormatException(
                    at + "imagine_cue is only for " + PartitionTask.CueRecall.KIND + " tasks, not " + kind);
        }
        if (spread && !(query instanceof SpreadQuery)) {
            throw wrongQuery(at, kind, "a spread", query);
        }
        boolean imagine = kind.equals(PartitionTask.SeedFetch.KIND) || kind.equals(PartitionTask.CueRecall.KIND);
        if (imagine && !(query instanceof ImagineQuery)) {
            throw wrongQuery(at, kind, "an imagine", query);
        }
        List<SpreadStart> carried = starts == null ? List.of() : starts;
        return switch (kind) {
            case PartitionTask.Scan.KIND -> new PartitionTask.Scan(query);
            case PartitionTask.SpreadRun.KIND -> new PartitionTask.SpreadRun((SpreadQuery) query, carried);
            case PartitionTask.SpreadStep.KIND -> new PartitionTask.SpreadStep((SpreadQuery) query, carried);
            case PartitionTask.SeedFetch.KIND -> new PartitionTask.SeedFetch((ImagineQuery) query);
            default -> {
                if (cue == null) {
                    throw missingField(parent, index, "imagine_cue");
                }
                yield new PartitionTask.CueRecall((ImagineQuery) query, cue);
            }
        };
    }

    private static WireFormatException wrongQuery(String at, String kind, String expected, Query query) {
        return new WireFormatException(
                at + "a " + kind + " task needs " + expected + " query, got " + PartitionTask.described(query));
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

    /** The spread starts at {@code at} ({@code spread_starts}, or {@code partitions[2].spread_starts}). */
    private List<SpreadStart> readStarts(StrictStream s, String at) throws IOException {
        s.requireArray(at, -1, null);
        List<SpreadStart> starts = new ArrayList<>();
        int max = limits.maxArrayLength();
        for (int i = 0; s.nextElement(); i++) {
            if (i == max) {
                throw s.tooLong(at, max);
            }
            starts.add(readStart(s, at, i));
        }
        return starts;
    }

    private static SpreadStart readStart(StrictStream s, String at, int i) throws IOException {
        s.requireObject(at, i, null);
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
            seen = mark(seen, field, at, i, name);
            if (s.isNull()) {
                continue;
            }
            switch (name) {
                case "memory_id" -> {
                    String value = s.string(at, i, "memory_id");
                    try {
                        id = MemoryId.of(value);
                    } catch (IllegalArgumentException | NullPointerException e) {
                        throw refused(at, i, "memory_id", e);
                    }
                }
                case "activation" -> {
                    activation = s.number(at, i, "activation");
                    hasActivation = true;
                }
                default -> {
                    hops = s.integer(at, i, "hops_used");
                    hasHops = true;
                }
            }
        }
        if (id == null) {
            throw missingField(at, i, "memory_id");
        }
        if (!hasActivation) {
            throw missingField(at, i, "activation");
        }
        if (!hasHops) {
            throw missingField(at, i, "hops_used");
        }
        try {
            return new SpreadStart(id, activation, hops);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw refused(e);
        }
    }
}
