package io.engram.query.transport.tcp.codec;

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
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** A {@link NodeRequest} in the payload layout (see {@link BinaryCodec}). */
final class NodeRequestFormat {
    /** As the JSON path: a query id has 1 to 128 characters. */
    static final int MAX_QUERY_ID_LENGTH = 128;

    /** The task kinds, in the order of their byte on the wire. */
    private enum Kind {
        SCAN(PartitionTask.Scan.KIND),
        SPREAD_RUN(PartitionTask.SpreadRun.KIND),
        SPREAD_STEP(PartitionTask.SpreadStep.KIND),
        SEED_FETCH(PartitionTask.SeedFetch.KIND),
        CUE_RECALL(PartitionTask.CueRecall.KIND);

        private static final Kind[] VALUES = values();
        private static final List<String> NAMES =
                List.of(SCAN.wire, SPREAD_RUN.wire, SPREAD_STEP.wire, SEED_FETCH.wire, CUE_RECALL.wire);

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        static Kind of(PartitionTask task) {
            if (task instanceof PartitionTask.Scan) {
                return SCAN;
            }
            if (task instanceof PartitionTask.SpreadRun) {
                return SPREAD_RUN;
            }
            if (task instanceof PartitionTask.SpreadStep) {
                return SPREAD_STEP;
            }
            if (task instanceof PartitionTask.SeedFetch) {
                return SEED_FETCH;
            }
            if (task instanceof PartitionTask.CueRecall) {
                return CUE_RECALL;
            }
            throw new IllegalArgumentException(
                    "unknown partition task " + task.getClass().getName());
        }
    }

    /** A spread start: a memory id (at least 2 bytes), an activation (8) and its hops (at least 1). */
    private static final int MIN_START_BYTES = 11;

    private NodeRequestFormat() {}

    // ---------------------------------------------------------------- writing

    static void write(NodeRequest request, ByteBuf out) {
        SpaceTable spaces = new SpaceTable();
        Map<Query, Integer> queryIndexes = new IdentityHashMap<>();
        List<Query> queries = new ArrayList<>();
        for (PartitionRequest partition : request.partitions()) {
            spaces.add(partition.space());
            Query query = partition.query();
            if (queryIndexes.putIfAbsent(query, queries.size()) == null) {
                queries.add(query);
                QueryFormat.collectSpaces(query, spaces);
            }
        }
        out.writeByte(BinaryCodec.FORMAT_VERSION);
        PayloadWriter.string(out, request.queryId());
        PayloadWriter.varInt(out, request.reduceTo());
        spaces.write(out);
        PayloadWriter.varInt(out, queries.size());
        for (Query query : queries) {
            QueryFormat.write(query, spaces, out);
        }
        PayloadWriter.varInt(out, request.partitions().size());
        for (PartitionRequest partition : request.partitions()) {
            spaces.writeIndex(out, partition.space());
            PayloadWriter.varInt(out, queryIndexes.get(partition.query()));
            PartitionTask task = partition.task();
            out.writeByte(Kind.of(task).ordinal());
            if (task instanceof PartitionTask.SpreadRun run) {
                writeStarts(run.starts(), out);
            } else if (task instanceof PartitionTask.SpreadStep step) {
                writeStarts(step.activations(), out);
            } else if (task instanceof PartitionTask.CueRecall recall) {
                PayloadWriter.embedding(out, recall.cue());
            }
        }
    }

    private static void writeStarts(List<SpreadStart> starts, ByteBuf out) {
        PayloadWriter.varInt(out, starts.size());
        for (SpreadStart start : starts) {
            PayloadWriter.string(out, start.memory().value());
            PayloadWriter.float64(out, start.activation());
            PayloadWriter.varInt(out, start.hopsUsed());
        }
    }

    // ---------------------------------------------------------------- reading

    static NodeRequest read(PayloadReader r, Deadline deadline) {
        r.format(BinaryCodec.FORMAT_VERSION);
        String queryId = r.string("queryId");
        if (queryId.isEmpty() || queryId.length() > MAX_QUERY_ID_LENGTH) {
            throw r.fail("queryId", "must have 1 to " + MAX_QUERY_ID_LENGTH + " characters, got " + queryId.length());
        }
        int reduceTo = r.varInt("reduceTo");
        r.spaceTable();

        int queryCount = r.count("queries", 2);
        if (queryCount == 0) {
            throw r.fail("queries", "a node request needs at least one query");
        }
        Query[] queries = new Query[queryCount];
        for (int i = 0; i < queryCount; i++) {
            r.enter("queries", i);
            queries[i] = QueryFormat.read(r);
            r.leave();
        }

        boolean[] queryUsed = new boolean[queryCount];
        int partitionCount = r.count("partitions", 3);
        List<PartitionRequest> partitions = new ArrayList<>(partitionCount);
        for (int i = 0; i < partitionCount; i++) {
            r.enter("partitions", i);
            MemorySpaceId space = r.space("space");
            int index = r.varInt("query");
            if (index >= queryCount) {
                throw r.fail("query", "query " + index + " is not in the table of " + queryCount + " queries");
            }
            queryUsed[index] = true;
            Kind kind = Kind.VALUES[r.ordinal("task", "task", Kind.NAMES)];
            r.enter("task");
            PartitionTask task = task(r, kind, queries[index]);
            r.leave();
            // each partition its own child, as the JSON path does: one can be cancelled without the others
            partitions.add(new PartitionRequest(queryId, space, deadline.child(), task));
            r.leave();
        }
        r.end("node request");
        NodeRequest request = new NodeRequest(queryId, partitions, reduceTo);
        r.checkSpacesUsed();
        for (int i = 0; i < queryCount; i++) {
            if (!queryUsed[i]) {
                r.enter("queries", i);
                throw r.fail(null, "is not used by any partition");
            }
        }
        return request;
    }

    /** The task of {@code kind} at the reader's path ({@code partitions[1].task}), refusing a query of another type. */
    private static PartitionTask task(PayloadReader r, Kind kind, Query query) {
        return switch (kind) {
            case SCAN -> new PartitionTask.Scan(query);
            case SPREAD_RUN -> new PartitionTask.SpreadRun(spread(r, kind, query), starts(r, "starts"));
            case SPREAD_STEP -> new PartitionTask.SpreadStep(spread(r, kind, query), starts(r, "activations"));
            case SEED_FETCH -> new PartitionTask.SeedFetch(imagine(r, kind, query));
            case CUE_RECALL -> {
                ImagineQuery imagine = imagine(r, kind, query);
                Embedding cue = r.embedding("cue");
                yield new PartitionTask.CueRecall(imagine, cue);
            }
        };
    }

    private static SpreadQuery spread(PayloadReader r, Kind kind, Query query) {
        if (query instanceof SpreadQuery spread) {
            return spread;
        }
        throw wrongQuery(r, kind, "a spread", query);
    }

    private static ImagineQuery imagine(PayloadReader r, Kind kind, Query query) {
        if (query instanceof ImagineQuery imagine) {
            return imagine;
        }
        throw wrongQuery(r, kind, "an imagine", query);
    }

    private static CodecException wrongQuery(PayloadReader r, Kind kind, String expected, Query query) {
        return r.fail(
                null, "a " + kind.wire + " task needs " + expected + " query, got " + PartitionTask.described(query));
    }

    private static List<SpreadStart> starts(PayloadReader r, String list) {
        int count = r.count(list, MIN_START_BYTES);
        List<SpreadStart> starts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            r.enter(list, i);
            MemoryId memory = r.id("memory", MemoryId::new);
            double activation = r.float64("activation");
            int hops = r.varInt("hopsUsed");
            starts.add(new SpreadStart(memory, activation, hops));
            r.leave();
        }
        return starts;
    }
}
