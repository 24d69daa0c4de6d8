package io.engram.query.transport.http.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.dataformat.smile.SmileFactory;
import io.engram.query.api.Confidence;
import io.engram.query.api.Coverage;
import io.engram.query.api.Cue;
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
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryResult;
import io.engram.query.api.RecallQuery;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** Queries and results shared by the wire-format, server and client tests. */
public final class SampleMessages {
    private SampleMessages() {}

    /**
     * The Smile equivalent of a JSON document, copied token by token so that what a tree would merge (a duplicate
     * field) is kept.
     */
    public static byte[] smileCopy(String json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonParser parser = new JsonFactory().createParser(json);
                JsonGenerator generator = new SmileFactory().createGenerator(out)) {
            parser.nextToken();
            generator.copyCurrentStructure(parser);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static RecallQuery recall() {
        return new RecallQuery(
                List.of(MemorySpaceId.of("s1"), MemorySpaceId.of("s2")),
                new Cue(Optional.of(Embedding.of(0.1f, 0.2f, -0.3f)), Optional.of("coffee")),
                Confidence.of(0.1),
                new QueryOptions(
                        10,
                        Optional.of(Duration.ofMillis(500)),
                        Optional.of("best-effort"),
                        Optional.of("max"),
                        Optional.empty()));
    }

    public static QueryResult result() {
        Match full = new Match(
                MemoryId.of("m1"),
                MemorySpaceId.of("s1"),
                Confidence.of(0.93),
                "coffee with ana",
                OptionalDouble.empty(),
                OptionalDouble.of(0.93),
                Map.of("who", "ana"),
                Optional.of(Embedding.of(0.5f, 0.25f)));
        Coverage coverage = new Coverage(
                3,
                2,
                2.0 / 3,
                List.of(MissingPartition.of(
                        MemorySpaceId.of("s3"), NodeId.of("n3"), MissingReason.TIMEOUT, "no answer in 500 ms")));
        return new QueryResult(
                List.of(full, Match.of(MemoryId.of("m2"), MemorySpaceId.of("s2"), Confidence.of(0.5), "tea")),
                Confidence.of(0.62),
                Confidence.of(0.93),
                coverage,
                PlanStrategy.MULTI_PARTITION,
                "best-effort",
                Duration.ofMillis(12),
                List.of(
                        new PartitionOutcome(
                                MemorySpaceId.of("s1"),
                                Optional.of(NodeId.of("n1")),
                                PartitionStatus.OK,
                                Duration.ofMillis(3),
                                1,
                                false,
                                1.0),
                        new PartitionOutcome(
                                MemorySpaceId.of("s2"),
                                Optional.of(NodeId.of("n2")),
                                PartitionStatus.OK,
                                Duration.ofMillis(4),
                                2,
                                true,
                                1.0),
                        new PartitionOutcome(
                                MemorySpaceId.of("s3"),
                                Optional.of(NodeId.of("n3")),
                                PartitionStatus.TIMEOUT,
                                Duration.ofMillis(500),
                                1,
                                false,
                                0.0)));
    }
}
