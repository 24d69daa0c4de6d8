package io.engram.query.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.engram.query.api.CompleteQuery;
import io.engram.query.api.Confidence;
import io.engram.query.api.Cue;
import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.ImagineBlend;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialEmbedding;
import io.engram.query.api.PartialResult;
import io.engram.query.api.Query;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.Ticker;
import io.engram.query.spi.PartitionRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EmbeddedQueryEngineTest {
    private static final int DIMS = 32;
    private static final SyntheticDataGenerator GENERATOR =
            new SyntheticDataGenerator(new SyntheticSpec(2, 2000, DIMS, 8, 3, 0.1, 11));
    private static final MemoryStore STORE = GENERATOR.store();
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final MemorySpaceId S2 = MemorySpaceId.of("s2");
    private static final List<Memory> S1_MEMORIES = GENERATOR.memories(S1);
    private static final List<Memory> S2_MEMORIES = GENERATOR.memories(S2);
    private static final NodeId NODE = NodeId.of("n1");

    private final EmbeddedQueryEngine engine = new EmbeddedQueryEngine(NODE, STORE, Ticker.system());

    private static PartitionRequest request(Query query, MemorySpaceId space) {
        return new PartitionRequest("q1", query, space, Deadline.after(Duration.ofMinutes(1)));
    }

    private static Embedding randomEmbedding(SplittableRandom random) {
        float[] values = new float[DIMS];
        for (int d = 0; d < DIMS; d++) {
            values[d] = (float) (random.nextDouble() * 2 - 1);
        }
        return Embedding.of(values);
    }

    private static double naiveCosine(Embedding a, Embedding b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int d = 0; d < a.dimensions(); d++) {
            dot += (double) a.get(d) * b.get(d);
            na += (double) a.get(d) * a.get(d);
            nb += (double) b.get(d) * b.get(d);
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    /** The best {@code limit} memories by score (ties: load order), by a full sort. */
    private static List<Integer> fullSortTop(List<Memory> memories, ToDoubleFunction<Memory> score, int limit) {
        double[] scores = memories.stream().mapToDouble(score).toArray();
        return IntStream.range(0, memories.size())
                .filter(i -> !Double.isNaN(scores[i]))
                .boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i))
                .limit(limit)
                .toList();
    }

    private static void assertMatches(
            PartialResult result, List<Memory> memories, List<Integer> expected, ToDoubleFunction<Memory> confidence) {
        assertThat(result.matches())
                .extracting(Match::memoryId)
                .containsExactlyElementsOf(
                        expected.stream().map(i -> memories.get(i).id()).toList());
        for (int k = 0; k < expected.size(); k++) {
            assertThat(result.matches().get(k).confidence().value())
                    .isCloseTo(confidence.applyAsDouble(memories.get(expected.get(k))), within(1e-9));
        }
        assertThat(result.confidenceAdjustment()).isEqualTo(1.0);
    }

    @Test
    void recallTopKEqualsAFullSortReference() {
        SplittableRandom random = new SplittableRandom(3);
        List<Embedding> cues = new ArrayList<>();
        for (int c = 0; c < 5; c++) {
            cues.add(randomEmbedding(random));
            cues.add(S1_MEMORIES.get(random.nextInt(S1_MEMORIES.size())).embedding());
        }
        for (Embedding cue : cues) {
            for (int limit : new int[] {1, 10, 250}) {
                PartialResult result = engine.execute(request(RecallQuery.of(List.of(), Cue.of(cue), limit), S1));

                List<Integer> expected = fullSortTop(S1_MEMORIES, m -> naiveCosine(cue, m.embedding()), limit);
                assertMatches(result, S1_MEMORIES, expected, m -> Math.max(0, naiveCosine(cue, m.embedding())));
                for (int k = 0; k < expected.size(); k++) {
                    assertThat(result.matches().get(k).similarity().getAsDouble())
                            .isCloseTo(
                                    naiveCosine(
                                            cue,
                                            S1_MEMORIES.get(expected.get(k)).embedding()),
                                    within(1e-9));
                }
            }
        }
    }

    @Test
    void recallFiltersByMinConfidenceAndContentCaseInsensitively() {
        Embedding cue = S2_MEMORIES.get(5).embedding();
        RecallQuery query = new RecallQuery(
                List.of(S2),
                new Cue(Optional.of(cue), Optional.of("MUSEUM")),
                Confidence.of(0.3),
                QueryOptions.limit(10_000));

        PartialResult result = engine.execute(request(query, S2));

        List<Integer> expected = fullSortTop(
                S2_MEMORIES,
                m -> m.content().contains("museum") && naiveCosine(cue, m.embedding()) >= 0.3
                        ? naiveCosine(cue, m.embedding())
                        : Double.NaN,
                10_000);
        assertThat(expected).hasSizeBetween(10, 1999);
        assertMatches(result, S2_MEMORIES, expected, m -> naiveCosine(cue, m.embedding()));
    }

    @Test
    void contentOnlyRecallRanksByTheMemorysOwnConfidence() {
        RecallQuery query = new RecallQuery(
                List.of(), Cue.of("Cluster C3 about River"), Confidence.of(0.6), QueryOptions.limit(20));

        PartialResult result = engine.execute(request(query, S1));

        List<Integer> expected = fullSortTop(
                S1_MEMORIES,
                m -> m.content().toLowerCase(Locale.ROOT).contains("cluster c3 about river")
                                && m.confidence().value() >= 0.6
                        ? m.confidence().value()
                        : Double.NaN,
                20);
        assertThat(expected).isNotEmpty();
        assertMatches(result, S1_MEMORIES, expected, m -> m.confidence().value());
        assertThat(result.matches().get(0).similarity()).isEmpty();
    }

    private static double restrictedCosine(PartialEmbedding partial, Embedding embedding) {
        double dot = 0;
        double nq = 0;
        double nx = 0;
        for (int d = 0; d < partial.dimensions(); d++) {
            if (partial.isKnown(d)) {
                dot += (double) partial.get(d) * embedding.get(d);
                nq += (double) partial.get(d) * partial.get(d);
                nx += (double) embedding.get(d) * embedding.get(d);
            }
        }
        return nq == 0 || nx == 0 ? 0 : dot / Math.sqrt(nq * nx);
    }

    private static double fieldShare(Map<String, String> known, Memory memory) {
        return (double) known.entrySet().stream()
                        .filter(f -> f.getValue().equals(memory.fields().get(f.getKey())))
                        .count()
                / known.size();
    }

    private static PartialEmbedding knownEveryOther(Embedding embedding, int every) {
        List<Float> values = new ArrayList<>();
        for (int d = 0; d < embedding.dimensions(); d++) {
            values.add(d % every == 0 ? embedding.get(d) : null);
        }
        return PartialEmbedding.of(values);
    }

    @Test
    void completeScoresKnownDimensionsAndFieldsLikeTheReference() {
        PartialEmbedding partial = knownEveryOther(S1_MEMORIES.get(42).embedding(), 3);
        Map<String, String> known = Map.of("cluster", "c5", "topic", "river");
        CompleteQuery query = new CompleteQuery(List.of(S1), Optional.of(partial), known, QueryOptions.limit(300));

        PartialResult result = engine.execute(request(query, S1));

        ToDoubleFunction<Memory> score =
                m -> Math.max(0, restrictedCosine(partial, m.embedding())) * (0.5 + 0.5 * fieldShare(known, m));
        List<Integer> expected =
                fullSortTop(S1_MEMORIES, m -> score.applyAsDouble(m) > 0 ? score.applyAsDouble(m) : Double.NaN, 300);
        assertMatches(result, S1_MEMORIES, expected, score);
        Match best = result.matches().get(0);
        Memory bestMemory = STORE.memory(best.memoryId()).orElseThrow();
        assertThat(best.embedding()).contains(bestMemory.embedding());
        assertThat(best.fields()).isEqualTo(bestMemory.fields());
        assertThat(best.similarity().getAsDouble())
                .isCloseTo(restrictedCosine(partial, bestMemory.embedding()), within(1e-9));
        // A memory missing a known field is kept, lower.
        assertThat(result.matches()).anySatisfy(m -> assertThat(m.fields()).doesNotContainEntry("cluster", "c5"));
    }

    @Test
    void completeWithFieldsOnlyScoresTheShareOfFieldsMatched() {
        Map<String, String> known = Map.of("cluster", "c2", "topic", "music");
        CompleteQuery query = new CompleteQuery(List.of(S2), Optional.empty(), known, QueryOptions.limit(400));

        PartialResult result = engine.execute(request(query, S2));

        List<Integer> expected =
                fullSortTop(S2_MEMORIES, m -> fieldShare(known, m) > 0 ? fieldShare(known, m) : Double.NaN, 400);
        assertMatches(result, S2_MEMORIES, expected, m -> fieldShare(known, m));
        assertThat(result.matches().get(0).confidence()).isEqualTo(Confidence.CERTAIN);
        assertThat(result.matches().get(0).similarity()).isEmpty();
    }

    @Test
    void completeWithEveryDimensionKnownIsCosine() {
        Embedding cue = S2_MEMORIES.get(9).embedding();
        PartialEmbedding partial = knownEveryOther(cue, 1);
        CompleteQuery query = new CompleteQuery(List.of(S2), Optional.of(partial), Map.of(), QueryOptions.limit(50));

        PartialResult result = engine.execute(request(query, S2));

        List<Integer> expected = fullSortTop(
                S2_MEMORIES,
                m -> naiveCosine(cue, m.embedding()) > 0 ? naiveCosine(cue, m.embedding()) : Double.NaN,
                50);
        assertMatches(result, S2_MEMORIES, expected, m -> naiveCosine(cue, m.embedding()));
        assertThat(result.matches().get(0).memoryId()).isEqualTo(MemoryId.of("s2-m9"));
    }

    @Test
    void imagineRecallsTheBlendOfTheSeedsHeldHereLikeTheReference() {
        List<MemoryId> seeds = List.of(MemoryId.of("s1-m3"), MemoryId.of("s2-m11"), MemoryId.of("elsewhere-m1"));
        double novelty = 0.4;
        Embedding cue = ImagineBlend.blend(
                List.of(S1_MEMORIES.get(3).embedding(), S2_MEMORIES.get(11).embedding()), seeds, novelty);
        ImagineQuery query = new ImagineQuery(seeds, List.of(), novelty, QueryOptions.limit(25));

        for (MemorySpaceId space : List.of(S1, S2)) {
            List<Memory> memories = space.equals(S1) ? S1_MEMORIES : S2_MEMORIES;
            PartialResult result = engine.imagine(space, query, Deadline.after(Duration.ofMinutes(1)));

            List<Integer> expected = fullSortTop(
                    memories, m -> seeds.contains(m.id()) ? Double.NaN : naiveCosine(cue, m.embedding()), 25);
            assertMatches(
                    result, memories, expected, m -> Math.max(0, naiveCosine(cue, m.embedding())) * (1 - novelty / 2));
            assertThat(result.matches()).extracting(Match::memoryId).doesNotContainAnyElementsOf(seeds);
        }
    }

    @Test
    void imagineWithoutNoveltyFindsTheSeedsClusterAndNoveltyLowersConfidence() {
        List<MemoryId> seeds = List.of(MemoryId.of("s1-m5"));
        PartialResult plain = engine.imagine(
                S1,
                new ImagineQuery(seeds, List.of(), 0.0, QueryOptions.limit(5)),
                Deadline.after(Duration.ofMinutes(1)));
        PartialResult novel = engine.imagine(
                S1,
                new ImagineQuery(seeds, List.of(), 1.0, QueryOptions.limit(5)),
                Deadline.after(Duration.ofMinutes(1)));

        assertThat(plain.matches())
                .hasSize(5)
                .allSatisfy(
                        m -> assertThat(STORE.memory(m.memoryId()).orElseThrow().fields())
                                .containsEntry("cluster", "c5"));
        assertThat(novel.matches().get(0).confidence())
                .isLessThan(plain.matches().get(0).confidence());
        assertThat(novel.matches().get(0).confidence().value())
                .isCloseTo(novel.matches().get(0).similarity().getAsDouble() * 0.5, within(1e-9));
    }

    @Test
    void imagineWithNoSeedHeldHereIsEmptyAndComplete() {
        PartialResult result = engine.imagine(
                S1,
                new ImagineQuery(List.of(MemoryId.of("s7-m1")), List.of(), 0.5, QueryOptions.limit(5)),
                Deadline.after(Duration.ofMinutes(1)));

        assertThat(result.matches()).isEmpty();
        assertThat(result.confidenceAdjustment()).isEqualTo(1.0);
    }

    @Test
    void blendDoesNotDependOnSeedOrder() {
        List<Embedding> embeddings =
                List.of(S1_MEMORIES.get(1).embedding(), S1_MEMORIES.get(2).embedding());
        Embedding forward = ImagineBlend.blend(embeddings, List.of(MemoryId.of("a"), MemoryId.of("b")), 0.7);
        Embedding backward = ImagineBlend.blend(
                List.of(embeddings.get(1), embeddings.get(0)), List.of(MemoryId.of("b"), MemoryId.of("a")), 0.7);

        assertThat(naiveCosine(forward, backward)).isCloseTo(1.0, within(1e-6));
        assertThat(naiveCosine(forward, forward)).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void rejectsASpaceItDoesNotHold() {
        assertThatThrownBy(() -> engine.execute(request(
                        RecallQuery.of(List.of(), Cue.of(S1_MEMORIES.get(0).embedding()), 3), MemorySpaceId.of("s9"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("space 's9' is not held by node n1");
        assertThat(engine.holds(S1)).isTrue();
        assertThat(engine.holds(MemorySpaceId.of("s9"))).isFalse();
    }

    @Test
    void rejectsAnEmbeddingOfTheWrongLength() {
        assertThatThrownBy(() ->
                        engine.execute(request(RecallQuery.of(List.of(), Cue.of(Embedding.of(1, 2, 3)), 3), S1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cue embedding must have 32 dimensions, got 3");
        CompleteQuery complete = new CompleteQuery(
                List.of(), Optional.of(PartialEmbedding.of(List.of(1.0))), Map.of(), QueryOptions.limit(3));
        assertThatThrownBy(() -> engine.execute(request(complete, S1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partial embedding must have 32 dimensions, got 1");
    }

    @Test
    void scanCutByTheDeadlineReturnsTheBestSoFarWithTheShareScanned() {
        EmbeddedQueryEngine cut = new EmbeddedQueryEngine(
                NODE, STORE, new FakeTicker(5_000_000), EngineOptions.defaults().withDeadlineCheckInterval(512));
        // Read once at creation (t = 0, due at 3 ms), then once per 512 memories: 1 ms, 2 ms, 3 ms (expired).
        FakeTicker deadlineTicker = new FakeTicker(1_000_000);
        Deadline deadline = Deadline.after(Duration.ofMillis(3), deadlineTicker);
        Embedding cue = S1_MEMORIES.get(1500).embedding();

        PartialResult result =
                cut.execute(new PartitionRequest("q1", RecallQuery.of(List.of(), Cue.of(cue), 10), S1, deadline));

        assertThat(result.confidenceAdjustment()).isEqualTo(1024.0 / 2000);
        List<Integer> expected = fullSortTop(S1_MEMORIES.subList(0, 1024), m -> naiveCosine(cue, m.embedding()), 10);
        assertThat(result.matches())
                .extracting(Match::memoryId)
                .containsExactlyElementsOf(
                        expected.stream().map(i -> S1_MEMORIES.get(i).id()).toList());
        assertThat(result.latency()).isEqualTo(Duration.ofMillis(5));
        assertThat(deadlineTicker.reads()).isEqualTo(4);
    }

    @Test
    void expiredDeadlineScansNothing() {
        Deadline expired = Deadline.after(Duration.ZERO);

        PartialResult result = engine.execute(new PartitionRequest(
                "q1", RecallQuery.of(List.of(), Cue.of(S1_MEMORIES.get(0).embedding()), 10), S1, expired));

        assertThat(result.matches()).isEmpty();
        assertThat(result.confidenceAdjustment()).isZero();
        assertThat(result.node()).isEqualTo(NODE);
        assertThat(result.space()).isEqualTo(S1);
    }
}
