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
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.databind.type.CollectionType;
import io.engram.query.api.Confidence;
import io.engram.query.api.Coverage;
import io.engram.query.api.Embedding;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialEmbedding;
import io.engram.query.api.PartialResult;
import io.engram.query.api.PartitionOutcome;
import io.engram.query.api.PartitionStatus;
import io.engram.query.api.PlanStrategy;
import io.engram.query.api.Printable;
import io.engram.query.api.Query;
import io.engram.query.api.QueryResult;
import io.engram.query.api.SeedEmbedding;
import io.engram.query.api.SpreadCrossing;
import io.engram.query.api.SpreadStats;
import io.engram.query.spi.SpreadStart;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Jackson module of the wire format. Mix-ins bind the api module's records, which know nothing of Jackson, to
 * their snake_case fields through their canonical constructors, so the model's own checks run on every message.
 * Serializers and deserializers cover what is not a plain record: embeddings (finite 32-bit floats, the configured
 * dimensions), partial embeddings, durations as milliseconds, enums in lower case, the queries (through {@link
 * QueryJson}); and every array is held to {@link WireLimits#maxArrayLength()}.
 */
final class WireModule extends SimpleModule {
    private static final long serialVersionUID = 1L;

    WireModule(WireLimits limits) {
        super("engram-wire");
        // Values of one JSON scalar, through their factories: a partial result holds hundreds of them, for which a
        // mix-in's @JsonCreator and @JsonValue would call by reflection.
        addScalar(MemoryId.class, JsonToken.VALUE_STRING, p -> MemoryId.of(p.getText()));
        addScalar(MemorySpaceId.class, JsonToken.VALUE_STRING, p -> MemorySpaceId.of(p.getText()));
        addScalar(NodeId.class, JsonToken.VALUE_STRING, p -> NodeId.of(p.getText()));
        addScalar(Confidence.class, JsonToken.VALUE_NUMBER_FLOAT, p -> Confidence.of(p.getDoubleValue()));
        for (Class<?> id : List.of(MemoryId.class, MemorySpaceId.class, NodeId.class)) {
            addSerializer(id, ToStringSerializer.instance);
        }
        addSerializer(Confidence.class, new StdSerializer<>(Confidence.class) {
            private static final long serialVersionUID = 1L;

            @Override
            public void serialize(Confidence value, JsonGenerator g, SerializerProvider provider) throws IOException {
                g.writeNumber(value.value());
            }
        });
        setMixInAnnotation(Match.class, MatchMixin.class);
        setMixInAnnotation(PartialResult.class, PartialResultMixin.class);
        setMixInAnnotation(SpreadCrossing.class, SpreadCrossingMixin.class);
        setMixInAnnotation(SeedEmbedding.class, SeedEmbeddingMixin.class);
        setMixInAnnotation(SpreadStart.class, SpreadStartMixin.class);
        setMixInAnnotation(QueryResult.class, QueryResultMixin.class);
        setMixInAnnotation(Coverage.class, CoverageMixin.class);
        setMixInAnnotation(MissingPartition.class, MissingPartitionMixin.class);
        setMixInAnnotation(PartitionOutcome.class, PartitionOutcomeMixin.class);
        setMixInAnnotation(SpreadStats.class, SpreadStatsMixin.class);
        addSerializer(Embedding.class, new EmbeddingSerializer());
        addDeserializer(Embedding.class, new EmbeddingDeserializer(limits));
        addSerializer(PartialEmbedding.class, new PartialEmbeddingSerializer());
        addDeserializer(PartialEmbedding.class, new PartialEmbeddingDeserializer(limits));
        addSerializer(Duration.class, new MillisSerializer());
        addDeserializer(Duration.class, new MillisDeserializer());
        addLowerCase(PlanStrategy.class);
        addLowerCase(PartitionStatus.class);
        addLowerCase(MissingReason.class);
        addSerializer(Query.class, new QueryJson.Serializer());
        addDeserializer(Query.class, new QueryJson.Deserializer());
        setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyCollectionDeserializer(
                    DeserializationConfig config, CollectionType type, BeanDescription bean, JsonDeserializer<?> d) {
                return new Bounded(d, limits.maxArrayLength());
            }
        });
    }

    /**
     * A value the wire format refuses for its own reasons: {@code problem} follows the path of the value in the message
     * ({@code "must have at most 3 entries, got 4"}).
     */
    static final class Refusal extends JsonMappingException {
        private static final long serialVersionUID = 1L;
        final String problem;

        Refusal(JsonParser parser, String problem) {
            super(parser, problem);
            this.problem = problem;
        }
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

    interface SpreadStartMixin extends SpreadCrossingMixin {}

    @JsonPropertyOrder({
        "matches",
        "confidence",
        "base_confidence",
        "strategy",
        "consistency",
        "took_ms",
        "coverage",
        "partitions",
        "spread"
    })
    interface QueryResultMixin {
        @JsonProperty("took_ms")
        @JsonSetter(nulls = Nulls.AS_EMPTY)
        Duration latency();
    }

    @JsonPropertyOrder({
        "expected_partitions",
        "responding_partitions",
        "ratio",
        "timed_out",
        "failed",
        "missing_partitions"
    })
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

    // ---------------------------------------------------------------- values

    /** Every collection at most {@code max} long; counted once read, the document's size bounding what was read. */
    private static final class Bounded extends DelegatingDeserializer {
        private static final long serialVersionUID = 1L;
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

    /** The elements of the array the parser is on, numbers or (with {@code nulls}) null, as floats; null as NaN. */
    private static float[] floats(JsonParser p, DeserializationContext ctxt, WireLimits limits, boolean nulls)
            throws IOException {
        if (!p.isExpectedStartArrayToken()) {
            return (float[]) ctxt.handleUnexpectedToken(float[].class, p);
        }
        float[] values = new float[16];
        int size = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (size == limits.maxArrayLength()) {
                long count = size;
                for (; t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    p.skipChildren();
                    count++;
                }
                throw new Refusal(p, "must have at most " + size + " entries, got " + count);
            }
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.min(limits.maxArrayLength(), size * 2));
            }
            if (t == JsonToken.VALUE_NULL && nulls) {
                values[size++] = Float.NaN;
                continue;
            }
            if (!t.isNumeric()) {
                String expected = nulls ? "a number or null" : "a number";
                throw at(new Refusal(p, "must be " + expected + ", got " + WireFormat.describe(p)), size);
            }
            double number = p.getDoubleValue();
            float value = (float) number;
            if (!Float.isFinite(value)) {
                throw at(new Refusal(p, "must be a finite 32-bit number, got " + number), size);
            }
            values[size++] = value;
        }
        if (size < 1 || size > Embedding.MAX_DIMENSIONS) {
            throw new Refusal(p, "must have 1 to " + Embedding.MAX_DIMENSIONS + " dimensions, got " + size);
        }
        int dimensions = size;
        if (limits.dimensions().isPresent() && limits.dimensions().get() != dimensions) {
            throw new Refusal(p, "must have " + limits.dimensions().get() + " dimensions, got " + dimensions);
        }
        return Arrays.copyOf(values, size);
    }

    private static Refusal at(Refusal refusal, int index) {
        refusal.prependPath(new JsonMappingException.Reference(null, index));
        return refusal;
    }

    private static final class EmbeddingDeserializer extends StdDeserializer<Embedding> {
        private static final long serialVersionUID = 1L;
        private final WireLimits limits;

        EmbeddingDeserializer(WireLimits limits) {
            super(Embedding.class);
            this.limits = limits;
        }

        @Override
        public Embedding deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return Embedding.of(floats(p, ctxt, limits, false));
        }
    }

    private static final class EmbeddingSerializer extends StdSerializer<Embedding> {
        private static final long serialVersionUID = 1L;

        EmbeddingSerializer() {
            super(Embedding.class);
        }

        @Override
        public void serialize(Embedding value, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeStartArray(value, value.dimensions());
            for (int i = 0; i < value.dimensions(); i++) {
                g.writeNumber(value.get(i));
            }
            g.writeEndArray();
        }
    }

    /** A partial embedding: an array of numbers in which {@code null} marks an unknown dimension. */
    private static final class PartialEmbeddingDeserializer extends StdDeserializer<PartialEmbedding> {
        private static final long serialVersionUID = 1L;
        private final WireLimits limits;

        PartialEmbeddingDeserializer(WireLimits limits) {
            super(PartialEmbedding.class);
            this.limits = limits;
        }

        @Override
        public PartialEmbedding deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            float[] values = floats(p, ctxt, limits, true);
            List<Float> dimensions = new ArrayList<>(values.length);
            for (float value : values) {
                dimensions.add(Float.isNaN(value) ? null : value);
            }
            return PartialEmbedding.of(dimensions);
        }
    }

    private static final class PartialEmbeddingSerializer extends StdSerializer<PartialEmbedding> {
        private static final long serialVersionUID = 1L;

        PartialEmbeddingSerializer() {
            super(PartialEmbedding.class);
        }

        @Override
        public void serialize(PartialEmbedding value, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeStartArray(value, value.dimensions());
            for (int i = 0; i < value.dimensions(); i++) {
                if (value.isKnown(i)) {
                    g.writeNumber(value.get(i));
                } else {
                    g.writeNull();
                }
            }
            g.writeEndArray();
        }
    }

    /** A duration as whole milliseconds, at least 0; absent or null is zero. */
    private static final class MillisDeserializer extends StdDeserializer<Duration> {
        private static final long serialVersionUID = 1L;

        MillisDeserializer() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            long millis = ctxt.readValue(p, long.class);
            if (millis < 0) {
                throw new Refusal(p, "must be >= 0, got " + millis);
            }
            return Duration.ofMillis(millis);
        }

        @Override
        public Object getEmptyValue(DeserializationContext ctxt) {
            return Duration.ZERO;
        }
    }

    private static final class MillisSerializer extends StdSerializer<Duration> {
        private static final long serialVersionUID = 1L;

        MillisSerializer() {
            super(Duration.class);
        }

        @Override
        public void serialize(Duration value, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeNumber(value.toMillis());
        }
    }

    @FunctionalInterface
    private interface ScalarReader<T> {
        T read(JsonParser p) throws IOException;
    }

    /** A value read from one scalar token ({@code VALUE_NUMBER_FLOAT}: any number) by {@code reader}. */
    private <T> void addScalar(Class<T> type, JsonToken token, ScalarReader<T> reader) {
        addDeserializer(type, new StdDeserializer<T>(type) {
            private static final long serialVersionUID = 1L;

            @Override
            public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                boolean number = token == JsonToken.VALUE_NUMBER_FLOAT
                        && p.currentToken().isNumeric();
                if (!number && !p.hasToken(token)) {
                    return type.cast(ctxt.handleUnexpectedToken(type, p));
                }
                return reader.read(p);
            }
        });
    }

    /** An enum as its lower-case name (written so by {@code EnumFeature.WRITE_ENUMS_TO_LOWERCASE}), strictly. */
    private <E extends Enum<E>> void addLowerCase(Class<E> type) {
        Map<String, E> byName = new LinkedHashMap<>();
        for (E constant : type.getEnumConstants()) {
            byName.put(constant.name().toLowerCase(Locale.ROOT), constant);
        }
        String known = String.join(", ", byName.keySet());
        addDeserializer(type, new StdDeserializer<E>(type) {
            private static final long serialVersionUID = 1L;

            @Override
            public E deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                String name = ctxt.readValue(p, String.class);
                E value = byName.get(name);
                if (value == null) {
                    throw new Refusal(p, "must be one of " + known + ", got '" + Printable.of(name) + "'");
                }
                return value;
            }
        });
    }
}
