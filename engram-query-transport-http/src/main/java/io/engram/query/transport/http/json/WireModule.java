package io.engram.query.transport.http.json;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.type.CollectionType;
import io.engram.query.api.Confidence;
import io.engram.query.api.Coverage;
import io.engram.query.api.Embedding;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialEmbedding;
import io.engram.query.api.PartialResult;
import io.engram.query.api.PartitionOutcome;
import io.engram.query.api.Query;
import io.engram.query.api.QueryResult;
import io.engram.query.api.SeedEmbedding;
import io.engram.query.api.SpreadCrossing;
import io.engram.query.api.SpreadStats;
import io.engram.query.planner.membership.Ack;
import io.engram.query.planner.membership.Gossip;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.SpreadStart;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The Jackson module of the wire format. Mix-ins bind the api module's records, which know nothing of Jackson, to
 * their snake_case fields through their canonical constructors, so the model's own checks run on every message.
 * Serializers and deserializers cover what is not a plain record: embeddings (finite 32-bit floats, the configured
 * dimensions), partial embeddings, durations as milliseconds, enums in lower case, the queries (through {@link
 * QueryJson}); and every array is held to {@link WireLimits#maxArrayLength()}.
 */
final class WireModule extends SimpleModule {
    WireModule(WireLimits limits) {
        super("engram-wire");
        // values of one JSON scalar, through their factories (a mix-in's @JsonCreator and @JsonValue would reflect)
        add(MemoryId.class, null, (v, g, s) -> g.writeString(v.value()), (p, c) -> MemoryId.of(text(p, c)));
        add(MemorySpaceId.class, null, (v, g, s) -> g.writeString(v.value()), (p, c) -> MemorySpaceId.of(text(p, c)));
        add(NodeId.class, null, (v, g, s) -> g.writeString(v.value()), (p, c) -> NodeId.of(text(p, c)));
        add(Confidence.class, null, (v, g, s) -> g.writeNumber(v.value()), (p, c) -> Confidence.of(number(p, c)));
        add(Duration.class, Duration.ZERO, (v, g, s) -> g.writeNumber(v.toMillis()), (p, c) -> {
            long millis = c.readValue(p, long.class);
            if (millis < 0) {
                throw new Refusal(p, "must be >= 0, got " + millis);
            }
            return Duration.ofMillis(millis);
        });
        add(Embedding.class, null, (v, g, s) -> floats(g, v.dimensions(), i -> true, v::get), (p, c) -> {
            return Embedding.of(floats(p, c, limits, false));
        });
        add(PartialEmbedding.class, null, (v, g, s) -> floats(g, v.dimensions(), v::isKnown, v::get), (p, c) -> {
            List<Float> dimensions = new ArrayList<>();
            for (float value : floats(p, c, limits, true)) {
                dimensions.add(Float.isNaN(value) ? null : value);
            }
            return PartialEmbedding.of(dimensions);
        });
        add(Query.class, null, (v, g, s) -> s.defaultSerializeValue(QueryJson.of(v), g), (p, c) -> {
            if (!p.isExpectedStartObjectToken()) {
                return (Query) c.handleUnexpectedToken(Query.class, p);
            }
            return c.readValue(p, QueryJson.class).query();
        });
        add(PartitionReply.class, null, (v, g, s) -> s.defaultSerializeValue(NodeJson.entry(v), g), (p, c) -> {
            return c.readValue(p, NodeJson.PartitionReplyJson.class).reply();
        });
        setMixInAnnotation(Match.class, MatchMixin.class);
        setMixInAnnotation(PartialResult.class, PartialResultMixin.class);
        setMixInAnnotation(SpreadCrossing.class, SpreadCrossingMixin.class);
        setMixInAnnotation(SeedEmbedding.class, SeedEmbeddingMixin.class);
        setMixInAnnotation(SpreadStart.class, SpreadCrossingMixin.class);
        setMixInAnnotation(QueryResult.class, QueryResultMixin.class);
        setMixInAnnotation(Coverage.class, CoverageMixin.class);
        setMixInAnnotation(MissingPartition.class, MissingPartitionMixin.class);
        setMixInAnnotation(PartitionOutcome.class, PartitionOutcomeMixin.class);
        setMixInAnnotation(SpreadStats.class, SpreadStatsMixin.class);
        setMixInAnnotation(Gossip.class, GossipMixin.class);
        setMixInAnnotation(Ack.class, AckMixin.class);
        setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyCollectionDeserializer(
                    DeserializationConfig config, CollectionType type, BeanDescription bean, JsonDeserializer<?> d) {
                return new Bounded(d, limits.maxArrayLength());
            }
        });
    }

    /** A value the wire format refuses: {@code problem} follows the value's path ({@code must be >= 0, got -1}). */
    static final class Refusal extends JsonMappingException {
        final String problem;

        Refusal(JsonParser parser, String problem) {
            super(parser, problem);
            this.problem = problem;
        }
    }

    @FunctionalInterface
    private interface Writer<T> {
        void write(T value, JsonGenerator g, SerializerProvider provider) throws IOException;
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(JsonParser p, DeserializationContext ctxt) throws IOException;
    }

    /** Writes and reads {@code type} with these; absent or null (where nulls are empty) is {@code empty}. */
    private <T> void add(Class<T> type, T empty, Writer<T> writer, Reader<T> reader) {
        addSerializer(type, new StdSerializer<T>(type) {
            @Override
            public void serialize(T value, JsonGenerator g, SerializerProvider provider) throws IOException {
                writer.write(value, g, provider);
            }
        });
        addDeserializer(type, new StdDeserializer<T>(type) {
            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return reader.read(p, ctxt);
            }

            @Override
            public Object getEmptyValue(DeserializationContext ctxt) {
                return empty;
            }
        });
    }

    private static String text(JsonParser p, DeserializationContext ctxt) throws IOException {
        return p.hasToken(JsonToken.VALUE_STRING) ? p.getText() : (String) ctxt.handleUnexpectedToken(String.class, p);
    }

    private static double number(JsonParser p, DeserializationContext ctxt) throws IOException {
        return p.currentToken().isNumeric() ? p.getDoubleValue() : (Double) ctxt.handleUnexpectedToken(double.class, p);
    }

    // ---------------------------------------------------------------- mix-ins

    interface MatchMixin {
        @JsonSetter(nulls = Nulls.AS_EMPTY)
        String content();

        @JsonInclude(NON_EMPTY)
        @JsonFormat(with = JsonFormat.Feature.WRITE_SORTED_MAP_ENTRIES)
        Map<String, String> fields();
    }

    interface PartialResultMixin {
        @JsonProperty(required = true)
        double confidenceAdjustment();

        @JsonProperty("latency_ms")
        @JsonSetter(nulls = Nulls.AS_EMPTY)
        Duration latency();

        @JsonInclude(NON_EMPTY)
        List<SpreadCrossing> frontier();

        @JsonInclude(NON_EMPTY)
        List<SeedEmbedding> seeds();
    }

    interface SpreadCrossingMixin {
        @JsonProperty("memory_id")
        MemoryId memory();

        @JsonProperty(required = true)
        double activation();

        @JsonProperty(required = true)
        int hopsUsed();
    }

    interface SeedEmbeddingMixin {
        @JsonProperty("memory_id")
        MemoryId memory();
    }

    @JsonPropertyOrder({"matches", "confidence", "base_confidence", "strategy", "consistency", "took_ms"})
    interface QueryResultMixin {
        @JsonProperty("took_ms")
        @JsonSetter(nulls = Nulls.AS_EMPTY)
        Duration latency();
    }

    @JsonPropertyOrder({"expected_partitions", "responding_partitions", "ratio", "timed_out", "failed"})
    interface CoverageMixin {
        @JsonProperty(required = true)
        int expectedPartitions();

        @JsonProperty(required = true)
        int respondingPartitions();

        @JsonProperty(required = true)
        double ratio();

        @JsonProperty("missing_partitions")
        List<MissingPartition> missing();

        @JsonProperty(access = JsonProperty.Access.READ_ONLY)
        long timedOut();

        @JsonProperty(access = JsonProperty.Access.READ_ONLY)
        long failed();

        @JsonIgnore
        boolean isComplete();
    }

    interface MissingPartitionMixin {
        @JsonSetter(nulls = Nulls.AS_EMPTY)
        @JsonInclude(NON_EMPTY)
        String detail();
    }

    interface PartitionOutcomeMixin {
        @JsonProperty("latency_ms")
        @JsonSetter(nulls = Nulls.AS_EMPTY)
        Duration latency();
    }

    interface SpreadStatsMixin {
        @JsonProperty(required = true)
        int rounds();
    }

    interface GossipMixin {
        @JsonProperty(required = true)
        long incarnation();
    }

    interface AckMixin {
        @JsonProperty(required = true)
        long incarnation();

        @JsonProperty(required = true)
        boolean targetReached();

        @JsonProperty(required = true)
        List<Gossip> gossip();
    }

    // ---------------------------------------------------------------- values

    /** Every collection at most {@code max} long; counted once read, the document's size bounding what was read. */
    private static final class Bounded extends DelegatingDeserializer {
        private final int max;

        Bounded(JsonDeserializer<?> delegate, int max) {
            super(delegate);
            this.max = max;
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> delegate) {
            return new Bounded(delegate, max);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Object value = super.deserialize(p, ctxt);
            if (value instanceof Collection<?> c && c.size() > max) {
                throw new Refusal(p, "must have at most " + max + " entries, got " + c.size());
            }
            return value;
        }
    }

    /**
     * The array of numbers the parser is on (with {@code nulls}, or null: NaN) as 32-bit floats: read as doubles by
     * Jackson, so that a number too large for a float is refused with its value.
     */
    private static float[] floats(JsonParser p, DeserializationContext ctxt, WireLimits limits, boolean nulls)
            throws IOException {
        Double[] read = nulls ? ctxt.readValue(p, Double[].class) : null;
        double[] numbers = nulls ? new double[read.length] : ctxt.readValue(p, double[].class);
        if (numbers.length > limits.maxArrayLength()) {
            throw new Refusal(p, "must have at most " + limits.maxArrayLength() + " entries, got " + numbers.length);
        }
        if (numbers.length < 1 || numbers.length > Embedding.MAX_DIMENSIONS) {
            throw new Refusal(p, "must have 1 to " + Embedding.MAX_DIMENSIONS + " dimensions, got " + numbers.length);
        }
        if (limits.dimensions().isPresent() && limits.dimensions().get() != numbers.length) {
            throw new Refusal(p, "must have " + limits.dimensions().get() + " dimensions, got " + numbers.length);
        }
        float[] values = new float[numbers.length];
        for (int i = 0; i < values.length; i++) {
            double number = nulls ? (read[i] == null ? Double.NaN : read[i]) : numbers[i];
            values[i] = (float) number;
            if (Float.isInfinite(values[i]) || (Double.isNaN(number) && !nulls)) {
                throw at(new Refusal(p, "must be a finite 32-bit number, got " + number), i);
            }
        }
        return values;
    }

    private static Refusal at(Refusal refusal, int index) {
        refusal.prependPath(new JsonMappingException.Reference(null, index));
        return refusal;
    }

    private static void floats(JsonGenerator g, int size, IntPredicate known, IntToFloat value) throws IOException {
        g.writeStartArray(null, size);
        for (int i = 0; i < size; i++) {
            if (known.test(i)) {
                g.writeNumber(value.get(i));
            } else {
                g.writeNull();
            }
        }
        g.writeEndArray();
    }

    @FunctionalInterface
    private interface IntToFloat {
        float get(int index);
    }
}
