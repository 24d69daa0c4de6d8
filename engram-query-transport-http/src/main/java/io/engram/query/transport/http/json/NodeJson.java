package io.engram.query.transport.http.json;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.Match;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.Printable;
import io.engram.query.api.Query;
import io.engram.query.api.SeedEmbedding;
import io.engram.query.api.SpreadCrossing;
import io.engram.query.api.SpreadQuery;
import io.engram.query.planner.membership.Gossip;
import io.engram.query.planner.membership.Ping;
import io.engram.query.planner.membership.PingRequest;
import io.engram.query.planner.membership.Probe;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.PartitionTask;
import io.engram.query.spi.SpreadStart;
import io.engram.query.spi.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The node-to-node messages as they travel. A partition request carries no deadline (the caller builds it from the
 * {@code Engram-Deadline-Ms} header) and names its task by kind, with the kind's fields beside the query; the records
 * check what the kind allows in their constructors, so a refusal names the partition it is in.
 */
final class NodeJson {
    static final int MAX_QUERY_ID_LENGTH = 128;
    private static final List<String> KINDS = List.of(
            PartitionTask.Scan.KIND,
            PartitionTask.SpreadRun.KIND,
            PartitionTask.SpreadStep.KIND,
            PartitionTask.SeedFetch.KIND,
            PartitionTask.CueRecall.KIND);

    private NodeJson() {}

    /** A partition request on its own: its query id, then the fields of {@link NodeRequestPartitionJson}. */
    record PartitionRequestJson(
            String queryId,
            MemorySpaceId space,
            Optional<String> task,
            Query query,
            Optional<List<SpreadStart>> spreadStarts,
            Optional<Embedding> imagineCue) {
        PartitionRequestJson {
            checkQueryId(queryId);
            taskOf(task, query, spreadStarts, imagineCue);
        }

        static PartitionRequestJson of(PartitionRequest request) {
            NodeRequestPartitionJson p = NodeRequestPartitionJson.of(request);
            return new PartitionRequestJson(
                    request.queryId(), p.space(), p.task(), p.query(), p.spreadStarts(), p.imagineCue());
        }

        PartitionRequest request(Deadline deadline) {
            return new PartitionRequest(queryId, space, deadline, taskOf(task, query, spreadStarts, imagineCue));
        }
    }

    /** A partition of a node request: its space, its task's kind (absent: what the query needs) and fields. */
    record NodeRequestPartitionJson(
            MemorySpaceId space,
            Optional<String> task,
            Query query,
            Optional<List<SpreadStart>> spreadStarts,
            Optional<Embedding> imagineCue) {
        NodeRequestPartitionJson {
            taskOf(task, query, spreadStarts, imagineCue);
        }

        static NodeRequestPartitionJson of(PartitionRequest request) {
            PartitionTask task = request.task();
            List<SpreadStart> starts = task instanceof PartitionTask.SpreadRun run
                    ? run.starts()
                    : task instanceof PartitionTask.SpreadStep step ? step.activations() : List.of();
            Optional<Embedding> cue =
                    task instanceof PartitionTask.CueRecall recall ? Optional.of(recall.cue()) : Optional.empty();
            return new NodeRequestPartitionJson(
                    request.space(),
                    Optional.of(task.kind()),
                    task.query(),
                    starts.isEmpty() ? Optional.empty() : Optional.of(starts),
                    cue);
        }

        PartitionRequest request(String queryId, Deadline deadline) {
            return new PartitionRequest(queryId, space, deadline, taskOf(task, query, spreadStarts, imagineCue));
        }
    }

    /** {@code {"query_id", "reduce_to", "partitions"}}; every partition gets a child of the exchange's deadline. */
    record NodeRequestJson(
            String queryId,
            Optional<Integer> reduceTo,
            @JsonProperty(required = true) List<NodeRequestPartitionJson> partitions) {
        NodeRequestJson {
            checkQueryId(queryId);
        }

        static NodeRequestJson of(NodeRequest request) {
            return new NodeRequestJson(
                    request.queryId(),
                    Optional.of(request.reduceTo()),
                    request.partitions().stream()
                            .map(NodeRequestPartitionJson::of)
                            .toList());
        }

        NodeRequest request(Deadline deadline) {
            List<PartitionRequest> requests = new ArrayList<>(partitions.size());
            for (NodeRequestPartitionJson partition : partitions) {
                requests.add(partition.request(queryId, deadline.child()));
            }
            return new NodeRequest(queryId, requests, reduceTo.orElse(0));
        }
    }

    private static void checkQueryId(String queryId) {
        if (queryId.isEmpty() || queryId.length() > MAX_QUERY_ID_LENGTH) {
            throw new IllegalArgumentException(
                    "query_id must have 1 to " + MAX_QUERY_ID_LENGTH + " characters, got " + queryId.length());
        }
    }

    /**
     * The task of {@code kind}, refusing a field or a query type the kind does not take. Without a kind, the one the
     * query needs when nothing is distributed about it: a scan, or a spread run ({@link PartitionTask#of}).
     */
    private static PartitionTask taskOf(
            Optional<String> given, Query query, Optional<List<SpreadStart>> starts, Optional<Embedding> cue) {
        String kind = given.orElse(query instanceof SpreadQuery ? PartitionTask.SpreadRun.KIND : null);
        if (kind == null) {
            if (query instanceof ImagineQuery) {
                throw new IllegalArgumentException("an imagine query needs a task: " + PartitionTask.SeedFetch.KIND
                        + " or " + PartitionTask.CueRecall.KIND);
            }
            kind = PartitionTask.Scan.KIND;
        }
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException(
                    "unknown task '" + Printable.of(kind) + "'; known tasks: " + String.join(", ", KINDS));
        }
        boolean spread = kind.equals(PartitionTask.SpreadRun.KIND) || kind.equals(PartitionTask.SpreadStep.KIND);
        if (starts.isPresent() && !spread) {
            throw new IllegalArgumentException("spread_starts is only for " + PartitionTask.SpreadRun.KIND + " and "
                    + PartitionTask.SpreadStep.KIND + " tasks, not " + kind);
        }
        if (cue.isPresent() && !kind.equals(PartitionTask.CueRecall.KIND)) {
            throw new IllegalArgumentException(
                    "imagine_cue is only for " + PartitionTask.CueRecall.KIND + " tasks, not " + kind);
        }
        List<SpreadStart> carried = starts.orElse(List.of());
        return switch (kind) {
            case PartitionTask.Scan.KIND -> new PartitionTask.Scan(query);
            case PartitionTask.SpreadRun.KIND ->
                new PartitionTask.SpreadRun(as(SpreadQuery.class, kind, query), carried);
            case PartitionTask.SpreadStep.KIND ->
                new PartitionTask.SpreadStep(as(SpreadQuery.class, kind, query), carried);
            case PartitionTask.SeedFetch.KIND -> new PartitionTask.SeedFetch(as(ImagineQuery.class, kind, query));
            default ->
                new PartitionTask.CueRecall(
                        as(ImagineQuery.class, kind, query),
                        cue.orElseThrow(() -> new IllegalArgumentException("missing field 'imagine_cue'")));
        };
    }

    /** The query a task of {@code kind} takes: "a spread-run task needs a spread query, got a recall query". */
    private static <Q extends Query> Q as(Class<Q> type, String kind, Query query) {
        if (!type.isInstance(query)) {
            String expected = type == SpreadQuery.class ? "a spread" : "an imagine";
            throw new IllegalArgumentException(
                    "a " + kind + " task needs " + expected + " query, got " + PartitionTask.described(query));
        }
        return type.cast(query);
    }

    /** A node's answer: {@code {"partitions": [...]}}, one entry per partition of its node request. */
    record NodeAnswerJson(@JsonProperty(required = true) List<PartitionReply> partitions) {}

    /** What an entry of a node's answer is written as: the partial result, or the partition's space and error. */
    static Object entry(PartitionReply reply) {
        return reply.result().isPresent()
                ? reply.result().get()
                : new FailedPartitionJson(
                        reply.space(), PartitionErrorJson.of(reply.failure().orElseThrow()));
    }

    record FailedPartitionJson(MemorySpaceId space, PartitionErrorJson error) {}

    /** A failure with its reason and flags; overloaded is a failed error that is not retryable, by definition. */
    record PartitionErrorJson(
            MissingReason reason, Optional<Boolean> retryable, Optional<Boolean> overloaded, String message) {
        PartitionErrorJson {
            if (overloaded.orElse(false) && (reason != MissingReason.FAILED || retryable.orElse(false))) {
                throw new IllegalArgumentException("overloaded is only for a failed error that is not retryable, got"
                        + " reason " + reason.name().toLowerCase(java.util.Locale.ROOT)
                        + (retryable.orElse(false) ? ", retryable" : ""));
            }
        }

        static PartitionErrorJson of(TransportException e) {
            return new PartitionErrorJson(
                    e.reason(),
                    Optional.of(e.isRetryable()),
                    Optional.of(e.isOverloaded()),
                    String.valueOf(e.getMessage()));
        }

        TransportException exception() {
            return overloaded.orElse(false)
                    ? TransportException.overloaded(message)
                    : new TransportException(reason, retryable.orElse(false), message);
        }
    }

    /** An entry of a node's answer as read: a partial result, or a failed partition (only space and error). */
    static final class PartitionReplyJson {
        private final PartitionReply reply;

        private PartitionReplyJson(PartitionReply reply) {
            this.reply = reply;
        }

        PartitionReply reply() {
            return reply;
        }

        @JsonCreator
        static PartitionReplyJson of(
                @JsonProperty("space") MemorySpaceId space,
                @JsonProperty("node") Optional<NodeId> node,
                @JsonProperty("matches") Optional<List<Match>> matches,
                @JsonProperty("confidence_adjustment") Optional<Double> adjustment,
                @JsonProperty("latency_ms") Optional<Duration> latency,
                @JsonProperty("frontier") Optional<List<SpreadCrossing>> frontier,
                @JsonProperty("seeds") Optional<List<SeedEmbedding>> seeds,
                @JsonProperty("error") Optional<PartitionErrorJson> error) {
            if (error.isPresent()) {
                List<Optional<?>> others = List.of(node, matches, adjustment, latency, frontier, seeds);
                for (int i = 0; i < others.size(); i++) {
                    if (others.get(i).isPresent()) {
                        throw new IllegalArgumentException("a failed partition has only space and error, got "
                                + List.of("node", "matches", "confidence_adjustment", "latency_ms", "frontier", "seeds")
                                        .get(i));
                    }
                }
                return new PartitionReplyJson(
                        PartitionReply.failed(space, error.get().exception()));
            }
            return new PartitionReplyJson(PartitionReply.answered(new PartialResult(
                    space,
                    node.orElseThrow(() -> new IllegalArgumentException("missing field 'node'")),
                    matches.orElse(List.of()),
                    adjustment.orElseThrow(() -> new IllegalArgumentException("missing field 'confidence_adjustment'")),
                    latency.orElse(Duration.ZERO),
                    frontier.orElse(List.of()),
                    seeds.orElse(List.of()))));
        }
    }

    /**
     * A probe of the peer-health protocol: {@code {"kind": "ping" | "ping-req", "from", "incarnation", "target",
     * "gossip"}}, where only a ping request names a target. The answer, an {@code Ack}, is its record as it is.
     */
    record MembershipMessageJson(
            String kind,
            NodeId from,
            @JsonProperty(required = true) long incarnation,
            Optional<NodeId> target,
            @JsonProperty(required = true) List<Gossip> gossip) {
        static final String PING = "ping";
        static final String PING_REQ = "ping-req";

        MembershipMessageJson {
            if (!kind.equals(PING) && !kind.equals(PING_REQ)) {
                throw new IllegalArgumentException(
                        "kind must be one of " + PING + ", " + PING_REQ + ", got '" + Printable.of(kind) + "'");
            }
            if (kind.equals(PING) == target.isPresent()) {
                throw new IllegalArgumentException(
                        target.isPresent()
                                ? "target: a ping names no target (a ping-req does)"
                                : "target: a ping-req must name the node to probe");
            }
        }

        static MembershipMessageJson of(Probe probe) {
            return probe instanceof PingRequest r
                    ? new MembershipMessageJson(
                            PING_REQ, r.from(), r.incarnation(), Optional.of(r.target()), r.gossip())
                    : new MembershipMessageJson(
                            PING, probe.from(), probe.incarnation(), Optional.empty(), probe.gossip());
        }

        Probe probe() {
            return target.isPresent()
                    ? new PingRequest(from, incarnation, target.get(), gossip)
                    : new Ping(from, incarnation, gossip);
        }
    }
}
