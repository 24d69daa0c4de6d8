package io.engram.query.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import io.engram.query.api.Confidence;
import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.SpreadQuery;
import io.engram.query.api.Ticker;
import io.engram.query.spi.PartitionRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class EmbeddedQueryEngineSpreadTest {
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final MemorySpaceId S2 = MemorySpaceId.of("s2");
    private static final NodeId NODE = NodeId.of("n1");

    /** Explicit walk enumeration: the best product over every walk of at most maxHops edges from a start. */
    private static final class Reference {
        private final Map<MemoryId, Memory> memories;
        private final MemorySpaceId space;
        private final double factor;
        private final double threshold;
        final Map<MemoryId, Double> activations = new HashMap<>();
        final Map<MemoryId, List<double[]>> reached = new HashMap<>(); // every crossing: {activation, hops}

        Reference(Map<MemoryId, Memory> memories, MemorySpaceId space, SpreadQuery query, List<Activation> starts) {
            this.memories = memories;
            this.space = space;
            this.factor = 1 - query.decay();
            this.threshold = query.threshold();
            for (Activation start : starts) {
                Memory memory = memories.get(start.memory());
                if (memory == null
                        || !memory.space().equals(space)
                        || !start.space().equals(space)) {
                    continue;
                }
                if (start.activation() >= threshold) {
                    activations.merge(start.memory(), start.activation(), Math::max);
                    walk(memory, start.activation(), query.maxHops() - start.hopsUsed(), start.hopsUsed());
                }
            }
            query.seeds().forEach(activations::remove);
        }

        /** Per target, the crossings no other dominates (fewer or equal hops, at least the activation), hops ascending. */
        Map<MemoryId, List<double[]>> frontier() {
            Map<MemoryId, List<double[]>> front = new HashMap<>();
            reached.forEach((target, all) -> {
                List<double[]> kept = new ArrayList<>();
                all.stream()
                        .sorted((a, b) -> a[1] != b[1] ? Double.compare(a[1], b[1]) : Double.compare(b[0], a[0]))
                        .forEach(c -> {
                            if (kept.isEmpty() || c[0] > kept.get(kept.size() - 1)[0]) {
                                kept.add(c);
                            }
                        });
                front.put(target, kept);
            });
            return front;
        }

        private void walk(Memory from, double value, int hopsLeft, int hopsUsed) {
            if (hopsLeft <= 0) {
                return;
            }
            for (Edge edge : from.edges()) {
                double reached = value * factor * edge.weight();
                if (reached < threshold) {
                    continue;
                }
                Memory target = memories.get(edge.to());
                if (target != null && target.space().equals(space)) {
                    activations.merge(edge.to(), reached, Math::max);
                    walk(target, reached, hopsLeft - 1, hopsUsed + 1);
                } else {
                    this.reached
                            .computeIfAbsent(edge.to(), t -> new ArrayList<>())
                            .add(new double[] {reached, hopsUsed + 1});
                }
            }
        }
    }

    private record Graph(MemoryStore store, Map<MemoryId, Memory> memories, List<MemoryId> s1Ids) {}

    private static Graph randomGraph(SplittableRandom random) {
        int n = 5 + random.nextInt(36);
        List<MemoryId> s1 = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            s1.add(MemoryId.of("a" + i));
        }
        List<MemoryId> s2 = List.of(MemoryId.of("b0"), MemoryId.of("b1"), MemoryId.of("b2"));
        Map<MemoryId, Memory> memories = new HashMap<>();
        MemoryStore.Builder builder = MemoryStore.builder(2);
        for (MemoryId id : s1) {
            List<Edge> edges = new ArrayList<>();
            int count = random.nextInt(5);
            for (int e = 0; e < count; e++) {
                double roll = random.nextDouble();
                MemoryId to = roll < 0.75
                        ? s1.get(random.nextInt(n))
                        : roll < 0.9 ? s2.get(random.nextInt(s2.size())) : MemoryId.of("x" + random.nextInt(3));
                double weight = random.nextInt(6) == 0 ? 1.0 : 1.0 - random.nextDouble();
                edges.add(new Edge(to, weight));
            }
            memories.put(id, memory(id, S1, edges));
        }
        for (MemoryId id : s2) {
            memories.put(id, memory(id, S2, List.of(new Edge(s1.get(0), 1.0))));
        }
        memories.values().forEach(builder::add);
        return new Graph(builder.build(), memories, s1);
    }

    private static Memory memory(MemoryId id, MemorySpaceId space, List<Edge> edges) {
        return new Memory(id, space, Embedding.of(1, 0), "memory " + id, Confidence.HIGH, Map.of(), edges);
    }

    private static Deadline later() {
        return Deadline.after(Duration.ofMinutes(1));
    }

    private static Map<MemoryId, Double> activations(List<Match> matches) {
        return matches.stream()
                .collect(Collectors.toMap(Match::memoryId, m -> m.activation().getAsDouble()));
    }

    private static void assertSameActivations(Map<MemoryId, Double> actual, Map<MemoryId, Double> expected) {
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((id, a) -> assertThat(actual.get(id)).as(id.value()).isCloseTo(a, within(1e-9)));
    }

    @Test
    void activationsEqualExplicitWalkEnumerationOnRandomGraphs() {
        SplittableRandom random = new SplittableRandom(2024);
        int nonEmpty = 0;
        for (int trial = 0; trial < 200; trial++) {
            Graph graph = randomGraph(random);
            List<MemoryId> seeds = new ArrayList<>();
            for (int s = 1 + random.nextInt(3); s > 0; s--) {
                MemoryId seed = graph.s1Ids().get(random.nextInt(graph.s1Ids().size()));
                if (!seeds.contains(seed)) {
                    seeds.add(seed);
                }
            }
            if (random.nextBoolean()) {
                seeds.add(MemoryId.of("b1")); // a seed of another space: ignored by s1's partition
            }
            SpreadQuery query = new SpreadQuery(
                    seeds,
                    List.of(),
                    1 + random.nextInt(5),
                    random.nextDouble() * 0.5,
                    0.001 + random.nextDouble() * 0.3,
                    QueryOptions.limit(10_000));
            EmbeddedQueryEngine engine = new EmbeddedQueryEngine(
                    NODE,
                    graph.store(),
                    Ticker.system(),
                    EngineOptions.defaults().withDeadlineCheckInterval(1 + random.nextInt(4)));

            PartialResult result = engine.execute(new PartitionRequest("q", query, S1, later()));
            SpreadOutcome outcome = engine.spread(
                    S1, seeds.stream().map(id -> Activation.seed(id, S1)).toList(), query, later());

            List<Activation> starts = seeds.stream()
                    .filter(id -> graph.memories().get(id).space().equals(S1))
                    .map(id -> Activation.seed(id, S1))
                    .toList();
            Reference reference = new Reference(graph.memories(), S1, query, starts);
            assertSameActivations(activations(result.matches()), reference.activations);
            assertThat(result.matches()).allSatisfy(m -> {
                assertThat(m.confidence().value()).isEqualTo(m.activation().getAsDouble());
                assertThat(m.space()).isEqualTo(S1);
            });
            assertThat(result.matches())
                    .extracting(m -> m.confidence().value())
                    .isSortedAccordingTo((a, b) -> Double.compare(b, a));
            assertThat(result.confidenceAdjustment()).isEqualTo(1.0);
            assertSameActivations(activations(outcome.matches()), reference.activations);
            Map<MemoryId, List<double[]>> expectedFrontier = reference.frontier();
            assertThat(outcome.frontier())
                    .hasSize(expectedFrontier.values().stream()
                            .mapToInt(List::size)
                            .sum());
            Map<MemoryId, Integer> seen = new HashMap<>();
            for (FrontierActivation crossing : outcome.frontier()) {
                List<double[]> expectedCrossings = expectedFrontier.get(crossing.memory());
                assertThat(expectedCrossings).as(crossing.memory().value()).isNotNull();
                double[] expected = expectedCrossings.get(seen.merge(crossing.memory(), 1, Integer::sum) - 1);
                assertThat(crossing.activation()).isCloseTo(expected[0], within(1e-9));
                assertThat(crossing.hopsUsed()).isEqualTo((int) expected[1]);
                assertThat(crossing.space())
                        .isEqualTo(crossing.memory().value().startsWith("b") ? Optional.of(S2) : Optional.empty());
            }
            nonEmpty += reference.activations.isEmpty() ? 0 : 1;
        }
        assertThat(nonEmpty).isGreaterThan(100);
    }

    @Test
    void startsThatUsedHopsFlowForTheHopsLeft() {
        SplittableRandom random = new SplittableRandom(99);
        for (int trial = 0; trial < 100; trial++) {
            Graph graph = randomGraph(random);
            MemoryId seed = graph.s1Ids().get(0);
            SpreadQuery query = new SpreadQuery(List.of(seed), List.of(), 4, 0.1, 0.01, QueryOptions.limit(10_000));
            List<Activation> starts = new ArrayList<>();
            starts.add(Activation.seed(seed, S1));
            for (int s = 0; s < 3; s++) {
                MemoryId id = graph.s1Ids().get(random.nextInt(graph.s1Ids().size()));
                starts.add(new Activation(id, S1, random.nextDouble(), random.nextInt(6)));
            }
            starts.add(new Activation(MemoryId.of("b0"), S2, 1.0, 0)); // another space: ignored
            EmbeddedQueryEngine engine = new EmbeddedQueryEngine(NODE, graph.store(), Ticker.system());

            SpreadOutcome outcome = engine.spread(S1, starts, query, later());

            Reference reference = new Reference(graph.memories(), S1, query, starts);
            assertSameActivations(activations(outcome.matches()), reference.activations);
        }
    }

    @Test
    void spreadOverGeneratedDataMatchesTheReferenceAndRespectsTheLimit() {
        SyntheticDataGenerator generator = new SyntheticDataGenerator(new SyntheticSpec(2, 500, 4, 10, 4, 0.2, 5));
        MemoryStore store = generator.store(S1::equals);
        Map<MemoryId, Memory> memories = new HashMap<>();
        generator.memories(S1).forEach(m -> memories.put(m.id(), m));
        List<MemoryId> seeds = List.of(MemoryId.of("s1-m0"), MemoryId.of("s1-m77"));
        SpreadQuery query = new SpreadQuery(seeds, List.of(S1), 3, 0.1, 0.05, QueryOptions.limit(10_000));
        EmbeddedQueryEngine engine = new EmbeddedQueryEngine(
                NODE,
                store,
                Ticker.system(),
                EngineOptions.defaults().withExternalSpaces(SyntheticDataGenerator::spaceOf));

        SpreadOutcome outcome = engine.spread(
                S1, seeds.stream().map(id -> Activation.seed(id, S1)).toList(), query, later());
        PartialResult top = engine.execute(new PartitionRequest(
                "q", new SpreadQuery(seeds, List.of(S1), 3, 0.1, 0.05, QueryOptions.limit(7)), S1, later()));

        Reference reference = new Reference(
                memories,
                S1,
                query,
                seeds.stream().map(id -> Activation.seed(id, S1)).toList());
        assertThat(reference.activations).hasSizeGreaterThan(20);
        assertSameActivations(activations(outcome.matches()), reference.activations);
        assertThat(outcome.frontier())
                .isNotEmpty()
                .allSatisfy(f -> assertThat(f.space()).contains(S2));
        assertThat(outcome.frontier().get(0).toActivation().orElseThrow().space())
                .isEqualTo(S2);
        assertThat(top.matches()).hasSize(7);
        assertThat(top.matches()).containsExactlyElementsOf(outcome.matches().subList(0, 7));
    }

    @Test
    void spreadCutByTheDeadlineKeepsTheRoundsDone() {
        List<Edge> fromSeed = List.of(Edge.of("b", 0.5), Edge.of("c", 0.8));
        MemoryStore store = MemoryStore.builder(2)
                .add(memory(MemoryId.of("a"), S1, fromSeed))
                .add(memory(MemoryId.of("b"), S1, List.of(Edge.of("d", 1.0))))
                .add(memory(MemoryId.of("c"), S1, List.of(Edge.of("d", 1.0))))
                .add(memory(MemoryId.of("d"), S1, List.of()))
                .build();
        EmbeddedQueryEngine engine = new EmbeddedQueryEngine(
                NODE, store, Ticker.system(), EngineOptions.defaults().withDeadlineCheckInterval(1));
        // Created at 0 (due at 2 ms); read at 1 ms before expanding the seed, at 2 ms (expired) before round 2.
        Deadline deadline = Deadline.after(Duration.ofMillis(2), new FakeTicker(1_000_000));
        SpreadQuery query = new SpreadQuery(List.of(MemoryId.of("a")), List.of(), 3, 0.0, 0.01, QueryOptions.limit(10));

        PartialResult result = engine.execute(new PartitionRequest("q", query, S1, deadline));

        assertThat(activations(result.matches())).isEqualTo(Map.of(MemoryId.of("c"), 0.8, MemoryId.of("b"), 0.5));
        assertThat(result.confidenceAdjustment()).isEqualTo(1.0 / 3);
    }

    @Test
    void seedsOfAnotherSpaceGiveAnEmptyCompleteAnswer() {
        Graph graph = randomGraph(new SplittableRandom(1));
        EmbeddedQueryEngine engine = new EmbeddedQueryEngine(NODE, graph.store(), Ticker.system());

        PartialResult result = engine.execute(
                new PartitionRequest("q", SpreadQuery.of(List.of(MemoryId.of("b0")), List.of(), 10), S1, later()));

        assertThat(result.matches()).isEmpty();
        assertThat(result.confidenceAdjustment()).isEqualTo(1.0);
    }

    @Test
    void crossingBelowTheLimitThBestMatchIsDroppedOnceTheLimitIsReached() {
        // a -> b 0.9, a -> c 0.8 (in s1); a -> x 0.5 (weak), a -> y 0.8 (a tie with c) and a -> z 0.85, all in s2.
        MemoryStore store = MemoryStore.builder(2)
                .add(memory(
                        MemoryId.of("a"),
                        S1,
                        List.of(
                                Edge.of("b", 0.9),
                                Edge.of("c", 0.8),
                                Edge.of("x", 0.5),
                                Edge.of("y", 0.8),
                                Edge.of("z", 0.85))))
                .add(memory(MemoryId.of("b"), S1, List.of()))
                .add(memory(MemoryId.of("c"), S1, List.of()))
                .add(memory(MemoryId.of("x"), S2, List.of()))
                .add(memory(MemoryId.of("y"), S2, List.of()))
                .add(memory(MemoryId.of("z"), S2, List.of()))
                .build();
        EmbeddedQueryEngine engine = new EmbeddedQueryEngine(NODE, store, Ticker.system());
        List<MemoryId> seeds = List.of(MemoryId.of("a"));

        PartialResult atLimit = engine.execute(new PartitionRequest(
                "q", new SpreadQuery(seeds, List.of(), 3, 0.0, 0.01, QueryOptions.limit(2)), S1, later()));
        PartialResult belowLimit = engine.execute(new PartitionRequest(
                "q", new SpreadQuery(seeds, List.of(), 3, 0.0, 0.01, QueryOptions.limit(3)), S1, later()));

        assertThat(activations(atLimit.matches())).isEqualTo(Map.of(MemoryId.of("b"), 0.9, MemoryId.of("c"), 0.8));
        assertThat(atLimit.frontier())
                .extracting(c -> c.memory().value(), c -> c.activation())
                .containsExactlyInAnyOrder(tuple("y", 0.8), tuple("z", 0.85));
        assertThat(activations(belowLimit.matches())).isEqualTo(activations(atLimit.matches()));
        assertThat(belowLimit.frontier())
                .extracting(c -> c.memory().value(), c -> c.activation())
                .containsExactlyInAnyOrder(tuple("x", 0.5), tuple("y", 0.8), tuple("z", 0.85));
    }

    @Test
    void crossingFilterDropsOnlyCrossingsBelowTheWeakestMatch() {
        SplittableRandom random = new SplittableRandom(31);
        int filtered = 0;
        for (int trial = 0; trial < 200; trial++) {
            Graph graph = randomGraph(random);
            MemoryId seed = graph.s1Ids().get(random.nextInt(graph.s1Ids().size()));
            int limit = 1 + random.nextInt(6);
            SpreadQuery all = new SpreadQuery(List.of(seed), List.of(), 4, 0.1, 0.01, QueryOptions.limit(10_000));
            SpreadQuery top = new SpreadQuery(List.of(seed), List.of(), 4, 0.1, 0.01, QueryOptions.limit(limit));
            EmbeddedQueryEngine engine = new EmbeddedQueryEngine(NODE, graph.store(), Ticker.system());
            List<Activation> starts = List.of(Activation.seed(seed, S1));

            SpreadOutcome unfiltered = engine.spread(S1, starts, all, later());
            SpreadOutcome outcome = engine.spread(S1, starts, top, later());

            assertThat(outcome.matches())
                    .isEqualTo(unfiltered.matches().subList(0, outcome.matches().size()));
            double floor = outcome.matches().size() == limit
                    ? outcome.matches().get(limit - 1).activation().getAsDouble()
                    : 0.0;
            assertThat(outcome.frontier())
                    .isEqualTo(unfiltered.frontier().stream()
                            .filter(c -> c.activation() >= floor)
                            .toList());
            filtered += unfiltered.frontier().size() - outcome.frontier().size();
        }
        assertThat(filtered).isGreaterThan(50);
    }

    @Test
    void spreadOverALargeSegmentEqualsTheReference() {
        // 100,000 memories: each points to its successor and to two far memories (a fan), a few point into s2.
        int n = 100_000;
        SplittableRandom random = new SplittableRandom(5);
        Map<MemoryId, Memory> memories = new HashMap<>();
        MemoryStore.Builder builder = MemoryStore.builder(2);
        List<MemoryId> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(MemoryId.of("m" + i));
        }
        for (int i = 0; i < n; i++) {
            List<Edge> edges = new ArrayList<>();
            edges.add(new Edge(ids.get((i + 1) % n), 0.5 + random.nextDouble() / 2));
            edges.add(new Edge(ids.get((int) ((i * 7L + 3) % n)), random.nextDouble()));
            edges.add(
                    new Edge(ids.get((int) ((i * 31L + 17) % n)), random.nextInt(4) == 0 ? 0.9 : random.nextDouble()));
            if (i % 5 == 0) {
                edges.add(Edge.of("far" + (i % 3), random.nextDouble()));
            }
            Memory memory = memory(ids.get(i), S1, edges);
            memories.put(memory.id(), memory);
            builder.add(memory);
        }
        for (int k = 0; k < 3; k++) {
            Memory memory = memory(MemoryId.of("far" + k), S2, List.of());
            memories.put(memory.id(), memory);
            builder.add(memory);
        }
        MemoryStore store = builder.build();
        List<MemoryId> seeds = List.of(ids.get(0), ids.get(50_000), ids.get(99_990));
        List<Activation> starts =
                seeds.stream().map(id -> Activation.seed(id, S1)).toList();
        EmbeddedQueryEngine engine = new EmbeddedQueryEngine(NODE, store, Ticker.system());
        SpreadQuery everything = new SpreadQuery(seeds, List.of(), 4, 0.1, 0.001, QueryOptions.limit(10_000));
        SpreadQuery best = new SpreadQuery(seeds, List.of(), 4, 0.1, 0.001, QueryOptions.limit(25));

        SpreadOutcome outcome = engine.spread(S1, starts, everything, later());
        SpreadOutcome top = engine.spread(S1, starts, best, later());

        Reference reference = new Reference(memories, S1, everything, starts);
        assertThat(reference.activations).hasSizeGreaterThan(100);
        assertSameActivations(activations(outcome.matches()), reference.activations);
        assertThat(top.matches())
                .extracting(Match::memoryId)
                .containsExactlyElementsOf(reference.activations.entrySet().stream()
                        .sorted(Map.Entry.<MemoryId, Double>comparingByValue()
                                .reversed()
                                .thenComparing(
                                        e -> Integer.parseInt(e.getKey().value().substring(1))))
                        .limit(25)
                        .map(Map.Entry::getKey)
                        .toList());
        assertThat(top.matches())
                .extracting(m -> m.memoryId())
                .containsExactlyElementsOf(outcome.matches().subList(0, 25).stream()
                        .map(Match::memoryId)
                        .toList());
        Map<MemoryId, List<double[]>> expectedFrontier = reference.frontier();
        assertThat(outcome.frontier())
                .hasSize(expectedFrontier.values().stream().mapToInt(List::size).sum());
        for (FrontierActivation crossing : outcome.frontier()) {
            assertThat(expectedFrontier.get(crossing.memory())).anySatisfy(c -> {
                assertThat(crossing.activation()).isCloseTo(c[0], within(1e-9));
                assertThat(crossing.hopsUsed()).isEqualTo((int) c[1]);
            });
        }
    }

    @Test
    void concurrentSpreadsOnOneEngineGiveTheSameAnswersAsOneAtATime() throws Exception {
        SyntheticDataGenerator generator = new SyntheticDataGenerator(new SyntheticSpec(2, 2_000, 4, 10, 4, 0.2, 5));
        EmbeddedQueryEngine engine = new EmbeddedQueryEngine(
                NODE,
                generator.store(S1::equals),
                Ticker.system(),
                EngineOptions.defaults().withExternalSpaces(SyntheticDataGenerator::spaceOf));
        List<SpreadQuery> queries = new ArrayList<>();
        for (int q = 0; q < 40; q++) {
            List<MemoryId> seeds =
                    List.of(MemoryId.of("s1-m" + (q * 37 % 2_000)), MemoryId.of("s1-m" + (q * 11 % 2_000 + 1)));
            queries.add(new SpreadQuery(seeds, List.of(S1), 1 + q % 4, 0.1, 0.01, QueryOptions.limit(5 + q)));
        }
        List<SpreadOutcome> expected = new ArrayList<>();
        for (SpreadQuery query : queries) {
            expected.add(engine.spread(S1, starts(query), query, later()));
        }

        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<SpreadOutcome>> futures = new ArrayList<>();
            for (int repeat = 0; repeat < 5; repeat++) {
                for (SpreadQuery query : queries) {
                    futures.add(pool.submit(() -> engine.spread(S1, starts(query), query, later())));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).get(1, java.util.concurrent.TimeUnit.MINUTES))
                        .isEqualTo(expected.get(i % queries.size()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Activation> starts(SpreadQuery query) {
        return query.seeds().stream().map(id -> Activation.seed(id, S1)).toList();
    }
}
