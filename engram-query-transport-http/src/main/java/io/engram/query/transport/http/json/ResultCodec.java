package io.engram.query.transport.http.json;

import static io.engram.query.transport.http.json.QueryCodec.api;
import static io.engram.query.transport.http.json.QueryCodec.named;
import static io.engram.query.transport.http.json.StrictObject.asString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engram.query.api.Confidence;
import io.engram.query.api.Coverage;
import io.engram.query.api.Embedding;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartitionOutcome;
import io.engram.query.api.PartitionStatus;
import io.engram.query.api.PlanStrategy;
import io.engram.query.api.Printable;
import io.engram.query.api.QueryResult;
import io.engram.query.api.SpreadStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/** Maps results (query results, matches, coverage) to and from JSON trees; partial results: {@link PartialResultCodec}. */
final class ResultCodec {
    private static final List<String> MATCH =
            List.of("memory_id", "space", "confidence", "content", "activation", "similarity", "fields", "embedding");
    private static final List<String> RESULT = List.of(
            "matches",
            "confidence",
            "base_confidence",
            "strategy",
            "consistency",
            "took_ms",
            "coverage",
            "partitions",
            "spread");
    private static final List<String> COVERAGE = List.of(
            "expected_partitions", "responding_partitions", "ratio", "timed_out", "failed", "missing_partitions");
    private static final List<String> MISSING = List.of("space", "node", "reason", "detail");
    private static final List<String> OUTCOME =
            List.of("space", "node", "status", "latency_ms", "attempts", "hedged", "confidence_adjustment");
    private static final List<String> SPREAD = List.of("rounds", "stopped_early");

    private final WireLimits limits;
    private final QueryCodec queries;
    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    ResultCodec(WireLimits limits, QueryCodec queries) {
        this.limits = limits;
        this.queries = queries;
    }

    // ---------------------------------------------------------------- writing

    ObjectNode write(QueryResult result) {
        ObjectNode o = nodes.objectNode();
        o.set("matches", matchesNode(result.matches()));
        o.put("confidence", result.confidence().value());
        o.put("base_confidence", result.baseConfidence().value());
        o.put("strategy", lower(result.strategy()));
        o.put("consistency", result.consistency());
        o.put("took_ms", result.latency().toMillis());
        o.set("coverage", write(result.coverage()));
        ArrayNode partitions = o.putArray("partitions");
        for (PartitionOutcome p : result.partitions()) {
            ObjectNode n = partitions.addObject();
            n.put("space", p.space().value());
            p.node().ifPresent(node -> n.put("node", node.value()));
            n.put("status", lower(p.status()));
            n.put("latency_ms", p.latency().toMillis());
            n.put("attempts", p.attempts());
            n.put("hedged", p.hedged());
            n.put("confidence_adjustment", p.confidenceAdjustment());
        }
        result.spread().ifPresent(spread -> {
            ObjectNode n = o.putObject("spread");
            n.put("rounds", spread.rounds());
            n.put("stopped_early", spread.stoppedEarly());
        });
        return o;
    }

    ObjectNode write(Coverage coverage) {
        ObjectNode o = nodes.objectNode();
        o.put("expected_partitions", coverage.expectedPartitions());
        o.put("responding_partitions", coverage.respondingPartitions());
        o.put("ratio", coverage.ratio());
        o.put("timed_out", coverage.timedOut());
        o.put("failed", coverage.failed());
        o.set("missing_partitions", missingNode(coverage.missing()));
        return o;
    }

    ArrayNode missingNode(List<MissingPartition> missing) {
        ArrayNode array = nodes.arrayNode(missing.size());
        for (MissingPartition m : missing) {
            ObjectNode n = array.addObject();
            n.put("space", m.space().value());
            m.node().ifPresent(node -> n.put("node", node.value()));
            n.put("reason", lower(m.reason()));
            if (!m.detail().isEmpty()) {
                n.put("detail", m.detail());
            }
        }
        return array;
    }

    private ArrayNode matchesNode(List<Match> matches) {
        ArrayNode array = nodes.arrayNode(matches.size());
        for (Match m : matches) {
            ObjectNode n = array.addObject();
            n.put("memory_id", m.memoryId().value());
            n.put("space", m.space().value());
            n.put("confidence", m.confidence().value());
            n.put("content", m.content());
            m.activation().ifPresent(a -> n.put("activation", a));
            m.similarity().ifPresent(s -> n.put("similarity", s));
            if (!m.fields().isEmpty()) {
                ObjectNode fields = n.putObject("fields");
                new java.util.TreeMap<>(m.fields()).forEach(fields::put);
            }
            m.embedding().ifPresent(e -> n.set("embedding", queries.embeddingNode(e)));
        }
        return array;
    }

    // ---------------------------------------------------------------- reading

    QueryResult readResult(JsonNode node) {
        StrictObject o = StrictObject.of(node, "", "query result", RESULT);
        List<Match> matches = matches(o);
        Confidence confidence = confidence(o, "confidence");
        Confidence base = confidence(o, "base_confidence");
        PlanStrategy strategy = enumValue(o, "strategy", PlanStrategy.class);
        String consistency = o.requiredString("consistency");
        Duration took = millis(o, "took_ms");
        Coverage coverage = coverage(StrictObject.of(o.required("coverage"), "coverage", "coverage", COVERAGE));
        List<PartitionOutcome> outcomes = new ArrayList<>();
        List<JsonNode> items = o.array("partitions", limits.maxArrayLength()).orElse(List.of());
        for (int i = 0; i < items.size(); i++) {
            StrictObject p = StrictObject.of(items.get(i), "partitions[" + i + "]", "partition outcome", OUTCOME);
            outcomes.add(api(() -> new PartitionOutcome(
                    space(p),
                    p.string("node").map(n -> named(p.path("node"), () -> NodeId.of(n))),
                    enumValue(p, "status", PartitionStatus.class),
                    millis(p, "latency_ms"),
                    p.integer("attempts").orElse(0),
                    p.bool("hedged").orElse(false),
                    p.number("confidence_adjustment").orElse(0.0))));
        }
        Optional<SpreadStats> spread = o.object("spread").map(n -> {
            StrictObject so = StrictObject.of(n, "spread", "spread", SPREAD);
            int rounds = so.requiredInteger("rounds");
            boolean stoppedEarly = so.bool("stopped_early").orElse(false);
            return api(() -> new SpreadStats(rounds, stoppedEarly));
        });
        return api(() ->
                new QueryResult(matches, confidence, base, coverage, strategy, consistency, took, outcomes, spread));
    }

    private Coverage coverage(StrictObject o) {
        int expected = o.requiredInteger("expected_partitions");
        int responding = o.requiredInteger("responding_partitions");
        double ratio = o.requiredNumber("ratio");
        o.longInteger("timed_out");
        o.longInteger("failed");
        List<MissingPartition> missing = readMissing(
                o.array("missing_partitions", limits.maxArrayLength()).orElse(List.of()), o.path("missing_partitions"));
        return api(() -> new Coverage(expected, responding, ratio, missing));
    }

    /** Reads a {@code missing_partitions} array found at {@code path}. */
    List<MissingPartition> readMissing(List<JsonNode> items, String path) {
        List<MissingPartition> missing = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            StrictObject m = StrictObject.of(items.get(i), path + "[" + i + "]", "missing partition", MISSING);
            missing.add(api(() -> new MissingPartition(
                    space(m),
                    m.string("node").map(n -> named(m.path("node"), () -> NodeId.of(n))),
                    enumValue(m, "reason", MissingReason.class),
                    m.string("detail").orElse(""))));
        }
        return missing;
    }

    private List<Match> matches(StrictObject o) {
        List<JsonNode> items = o.array("matches", limits.maxArrayLength()).orElse(List.of());
        List<Match> matches = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            StrictObject m = StrictObject.of(items.get(i), o.path("matches") + "[" + i + "]", "match", MATCH);
            MemoryId id = named(m.path("memory_id"), () -> MemoryId.of(m.requiredString("memory_id")));
            MemorySpaceId space = space(m);
            Confidence confidence = confidence(m, "confidence");
            String content = m.string("content").orElse("");
            OptionalDouble activation = optionalDouble(m, "activation");
            OptionalDouble similarity = optionalDouble(m, "similarity");
            Map<String, String> fields = new LinkedHashMap<>();
            m.object("fields").ifPresent(f -> {
                for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    fields.put(e.getKey(), asString(e.getValue(), m.path("fields") + "." + Printable.of(e.getKey())));
                }
            });
            Optional<Embedding> embedding = m.optional("embedding").map(v -> queries.embedding(v, m.path("embedding")));
            matches.add(
                    api(() -> new Match(id, space, confidence, content, activation, similarity, fields, embedding)));
        }
        return matches;
    }

    private static OptionalDouble optionalDouble(StrictObject o, String field) {
        return o.number(field).map(OptionalDouble::of).orElse(OptionalDouble.empty());
    }

    private static MemorySpaceId space(StrictObject o) {
        String value = o.requiredString("space");
        return named(o.path("space"), () -> MemorySpaceId.of(value));
    }

    private static Confidence confidence(StrictObject o, String field) {
        double value = o.requiredNumber(field);
        return named(o.path(field), () -> Confidence.of(value));
    }

    private static Duration millis(StrictObject o, String field) {
        long value = o.longInteger(field).orElse(0L);
        if (value < 0) {
            throw new WireFormatException(o.path(field) + " must be >= 0, got " + value);
        }
        return Duration.ofMillis(value);
    }

    private static <E extends Enum<E>> E enumValue(StrictObject o, String field, Class<E> type) {
        String value = o.requiredString(field);
        for (E constant : type.getEnumConstants()) {
            if (lower(constant).equals(value)) {
                return constant;
            }
        }
        throw new WireFormatException(o.path(field) + " must be one of "
                + Arrays.stream(type.getEnumConstants()).map(ResultCodec::lower).collect(Collectors.joining(", "))
                + ", got '" + Printable.of(value) + "'");
    }

    static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
