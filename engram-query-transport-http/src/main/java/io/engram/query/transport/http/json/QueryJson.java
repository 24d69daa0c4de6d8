package io.engram.query.transport.http.json;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.engram.query.api.CompleteQuery;
import io.engram.query.api.Confidence;
import io.engram.query.api.Cue;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.PartialEmbedding;
import io.engram.query.api.Query;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadQuery;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A query as it travels: its type named by {@code type} ({@code @JsonTypeInfo}, as Druid's {@code Query} does), its own
 * fields and its options side by side (Jackson can not unwrap the options into a creator and still refuse unknown
 * fields). Absent fields take the api's defaults; the model's constructors check the values.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = QueryJson.RecallQueryJson.class, name = "recall"),
    @JsonSubTypes.Type(value = QueryJson.SpreadQueryJson.class, name = "spread"),
    @JsonSubTypes.Type(value = QueryJson.CompleteQueryJson.class, name = "complete"),
    @JsonSubTypes.Type(value = QueryJson.ImagineQueryJson.class, name = "imagine")
})
sealed interface QueryJson {
    List<String> TYPES = List.of("recall", "spread", "complete", "imagine");

    Query query();

    static QueryJson of(Query query) {
        QueryOptions o = query.options();
        Optional<Integer> n = Optional.of(o.limit());
        var t = o.timeout();
        var c = o.consistency();
        var m = o.mergePolicy();
        var p = o.planningStrategy();
        if (query instanceof RecallQuery q) {
            return new RecallQueryJson(q.spaces(), q.cue(), Optional.of(q.minConfidence()), n, t, c, m, p);
        }
        if (query instanceof SpreadQuery q) {
            var hops = Optional.of(q.maxHops());
            return new SpreadQueryJson(
                    q.seeds(), q.spaces(), hops, Optional.of(q.decay()), Optional.of(q.threshold()), n, t, c, m, p);
        }
        if (query instanceof CompleteQuery q) {
            return new CompleteQueryJson(q.spaces(), q.partialEmbedding(), q.knownFields(), n, t, c, m, p);
        }
        ImagineQuery q = (ImagineQuery) query;
        return new ImagineQueryJson(q.seeds(), q.spaces(), Optional.of(q.novelty()), n, t, c, m, p);
    }

    private static QueryOptions options(
            Optional<Integer> limit,
            Optional<Duration> timeout,
            Optional<String> consistency,
            Optional<String> mergePolicy,
            Optional<String> planningStrategy) {
        return new QueryOptions(
                limit.orElse(QueryOptions.DEFAULT_LIMIT), timeout, consistency, mergePolicy, planningStrategy);
    }

    record RecallQueryJson(
            List<MemorySpaceId> spaces,
            Cue cue,
            Optional<Confidence> minConfidence,
            Optional<Integer> limit,
            Optional<Duration> timeoutMs,
            Optional<String> consistency,
            Optional<String> mergePolicy,
            Optional<String> planningStrategy)
            implements QueryJson {
        @Override
        public Query query() {
            return new RecallQuery(
                    spaces,
                    cue,
                    minConfidence.orElse(Confidence.NONE),
                    options(limit, timeoutMs, consistency, mergePolicy, planningStrategy));
        }
    }

    record SpreadQueryJson(
            List<MemoryId> seeds,
            List<MemorySpaceId> spaces,
            Optional<Integer> maxHops,
            Optional<Double> decay,
            Optional<Double> threshold,
            Optional<Integer> limit,
            Optional<Duration> timeoutMs,
            Optional<String> consistency,
            Optional<String> mergePolicy,
            Optional<String> planningStrategy)
            implements QueryJson {
        @Override
        public Query query() {
            return new SpreadQuery(
                    seeds,
                    spaces,
                    maxHops.orElse(SpreadQuery.DEFAULT_MAX_HOPS),
                    decay.orElse(SpreadQuery.DEFAULT_DECAY),
                    threshold.orElse(SpreadQuery.DEFAULT_THRESHOLD),
                    options(limit, timeoutMs, consistency, mergePolicy, planningStrategy));
        }
    }

    record CompleteQueryJson(
            List<MemorySpaceId> spaces,
            Optional<PartialEmbedding> partialEmbedding,
            @JsonInclude(NON_EMPTY) Map<String, String> knownFields,
            Optional<Integer> limit,
            Optional<Duration> timeoutMs,
            Optional<String> consistency,
            Optional<String> mergePolicy,
            Optional<String> planningStrategy)
            implements QueryJson {
        @Override
        public Query query() {
            return new CompleteQuery(
                    spaces,
                    partialEmbedding,
                    knownFields,
                    options(limit, timeoutMs, consistency, mergePolicy, planningStrategy));
        }
    }

    record ImagineQueryJson(
            List<MemoryId> seeds,
            List<MemorySpaceId> spaces,
            Optional<Double> novelty,
            Optional<Integer> limit,
            Optional<Duration> timeoutMs,
            Optional<String> consistency,
            Optional<String> mergePolicy,
            Optional<String> planningStrategy)
            implements QueryJson {
        @Override
        public Query query() {
            return new ImagineQuery(
                    seeds,
                    spaces,
                    novelty.orElse(0.0),
                    options(limit, timeoutMs, consistency, mergePolicy, planningStrategy));
        }
    }
}
