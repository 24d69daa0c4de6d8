package io.engram.query.executor.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.engram.query.aggregation.merge.MaxMergePolicy;
import io.engram.query.aggregation.merge.NoisyOrMergePolicy;
import io.engram.query.api.CompleteQuery;
import io.engram.query.api.Confidence;
import io.engram.query.api.Cue;
import io.engram.query.api.Embedding;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialEmbedding;
import io.engram.query.api.Query;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryResult;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadQuery;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.spread.SpreadCluster;
import io.engram.query.executor.spread.SpreadGraphs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Issue 17's check for a host's own engine: a {@link HostEngine} (written only against the api jar) on 3 to 5 nodes,
 * several random spaces each, coordinated by the first node with one request per partition and with one request per
 * node, answers recall (a broadcast), complete (one space), spread (with {@code max}, running ahead, and with
 * {@code noisy-or}, in supersteps) and imagine (seeds in several spaces on several nodes) exactly as the same engine
 * class holding every space on one node: the same memory ids, confidences (and activations, similarities) within
 * 1e-9, rank by rank when the limit cuts the answer.
 */
class HostEngineDistributedTest {
    private static final int DIMENSIONS = 4;
    private static final int TRIALS = 24;
    private static final List<String> COLOURS = List.of("red", "green", "blue");
    private static final List<String> SIZES = List.of("small", "large");

    /** A random graph: the memories, and the space of each. */
    private record Graph(List<HostEngine.Memory> memories, Map<MemoryId, MemorySpaceId> spaceOf) {
        List<MemorySpaceId> spaces() {
            return memories.stream()
                    .map(HostEngine.Memory::space)
                    .distinct()
                    .sorted()
                    .toList();
        }
    }

    /** What the trials saw, so that the test fails when they stop crossing nodes and spaces. */
    private static final class Seen {
        int multiNodeTrials;
        int remoteCalls;
        int spreadsCrossingSpaces;
        int spreadsCrossingNodes;
        int imaginesSeededOnSeveralNodes;
        int imaginesAnsweredFromSeveralNodes;
        int reinforced;
        int batchedFewerCalls;
        int multiRoundSpreads;
        int cutAnswers;
    }

    @Test
    void hostEngineAnswersEveryQueryTypeDistributedAsOnOneNode() throws Exception {
        SplittableRandom random = new SplittableRandom(17);
        Seen seen = new Seen();
        for (int trial = 0; trial < TRIALS; trial++) {
            Graph graph = randomGraph(random);
            int nodeCount = 3 + random.nextInt(3);
            Map<NodeId, Set<MemorySpaceId>> placement = place(graph.spaces(), nodeCount, random);
            Map<NodeId, Set<MemorySpaceId>> oneNode = Map.of(NodeId.of("n1"), Set.copyOf(graph.spaces()));
            // Half the trials the directory can place memories; else seeds and crossings of unknown space go to every
            // space (a host engine names only the spaces of memories it holds).
            Function<MemoryId, Optional<MemorySpaceId>> directory = random.nextBoolean()
                    ? id -> Optional.ofNullable(graph.spaceOf().get(id))
                    : id -> Optional.empty();
            String context = "trial " + trial + " on " + placement;
            seen.multiNodeTrials +=
                    placement.values().stream().filter(s -> !s.isEmpty()).count() > 1 ? 1 : 0;
            try (SpreadCluster distributed = cluster(graph, placement, directory);
                    SpreadCluster local = cluster(graph, oneNode, directory)) {
                for (int limit : List.of(graph.memories().size(), 1 + random.nextInt(6))) {
                    boolean whole = limit == graph.memories().size();
                    List<Query> queries = queries(graph, random, limit);
                    List<QueryResult> answers = new ArrayList<>();
                    for (Query query : queries) {
                        String what = context + ", " + query;
                        QueryResult expected = run(local, query, false, what + " (one node)");
                        long before = calls(distributed, placement);
                        QueryResult perPartition = run(distributed, query, false, what);
                        long between = calls(distributed, placement);
                        QueryResult perNode = run(distributed, query, true, what + " (one request per node)");
                        seen.batchedFewerCalls += calls(distributed, placement) - between < between - before ? 1 : 0;
                        assertSame(perPartition, expected, whole, what);
                        assertSame(perNode, expected, whole, what + " (one request per node)");
                        answers.add(perPartition);
                        seen.cutAnswers += !whole && expected.matches().size() == limit ? 1 : 0;
                        if (whole) {
                            observe(query, perPartition, graph, placement, seen);
                            if (query instanceof SpreadQuery spread) {
                                assertDefinition(expected, graph, spread, what + " (one node)");
                            }
                        }
                    }
                    if (whole) {
                        // queries: recall, complete, spread max, spread noisy-or, imagine
                        seen.reinforced += reinforced(answers.get(2), answers.get(3));
                    }
                }
                seen.remoteCalls +=
                        placement.keySet().stream().skip(1).anyMatch(node -> distributed.faults.calls(node) > 0)
                                ? 1
                                : 0;
            }
        }
        assertThat(seen.multiNodeTrials).as("trials over several nodes").isGreaterThan(TRIALS * 3 / 4);
        assertThat(seen.remoteCalls)
                .as("trials calling a node other than the coordinator")
                .isGreaterThan(TRIALS * 3 / 4);
        assertThat(seen.batchedFewerCalls)
                .as("queries one request per node sent in fewer calls")
                .isGreaterThan(TRIALS);
        assertThat(seen.multiRoundSpreads).as("spreads of several rounds").isGreaterThan(TRIALS);
        assertThat(seen.spreadsCrossingSpaces)
                .as("spreads activating a space holding no seed")
                .isGreaterThan(TRIALS);
        assertThat(seen.spreadsCrossingNodes)
                .as("spreads activating a node holding no seed")
                .isGreaterThan(TRIALS / 2);
        assertThat(seen.imaginesSeededOnSeveralNodes)
                .as("imagines with seeds on several nodes")
                .isGreaterThan(TRIALS / 2);
        assertThat(seen.imaginesAnsweredFromSeveralNodes)
                .as("imagines answered from several nodes")
                .isGreaterThan(TRIALS / 2);
        assertThat(seen.reinforced)
                .as("memories noisy-or activates above their best walk")
                .isGreaterThan(TRIALS);
        assertThat(seen.cutAnswers).as("answers the limit cut").isGreaterThan(TRIALS);
    }

    /** A recall, a complete, a spread with max and with noisy-or, an imagine, all with {@code limit}. */
    private static List<Query> queries(Graph graph, SplittableRandom random, int limit) {
        List<MemorySpaceId> spaces = graph.spaces();
        QueryOptions options = QueryOptions.limit(limit).withTimeout(Duration.ofSeconds(10));
        Embedding cueEmbedding = Embedding.of(vector(random));
        Cue cue = random.nextInt(4) == 0
                ? new Cue(Optional.of(cueEmbedding), Optional.of("Memory " + random.nextInt(3)))
                : Cue.of(cueEmbedding);
        RecallQuery recall = new RecallQuery(
                List.of(), cue, Confidence.of(new double[] {0.0, 0.2, 0.6}[random.nextInt(3)]), options);

        List<Float> partial = new ArrayList<>();
        for (int d = 0; d < DIMENSIONS; d++) {
            partial.add(random.nextInt(3) == 0 ? null : (float) (random.nextDouble() * 2 - 1));
        }
        if (partial.stream().allMatch(v -> v == null)) {
            partial.set(0, 1f);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        if (random.nextBoolean()) {
            fields.put("colour", COLOURS.get(random.nextInt(COLOURS.size())));
        }
        if (random.nextBoolean()) {
            fields.put("size", SIZES.get(random.nextInt(SIZES.size())));
        }
        CompleteQuery complete = new CompleteQuery(
                List.of(spaces.get(random.nextInt(spaces.size()))),
                fields.isEmpty() || random.nextBoolean() ? Optional.of(PartialEmbedding.of(partial)) : Optional.empty(),
                fields,
                options);

        List<MemoryId> spreadSeeds = seeds(graph, random, 1 + random.nextInt(3));
        int maxHops = 2 + random.nextInt(3);
        double decay = 0.3 * random.nextDouble();
        double threshold = new double[] {0.01, 0.05}[random.nextInt(2)];
        List<MemorySpaceId> spreadSpaces = List.of();
        SpreadQuery max = new SpreadQuery(
                spreadSeeds, spreadSpaces, maxHops, decay, threshold, options.withMergePolicy(MaxMergePolicy.NAME));
        SpreadQuery noisyOr = new SpreadQuery(
                spreadSeeds, spreadSpaces, maxHops, decay, threshold, options.withMergePolicy(NoisyOrMergePolicy.NAME));

        ImagineQuery imagine =
                new ImagineQuery(seeds(graph, random, 2 + random.nextInt(3)), List.of(), random.nextDouble(), options);
        return List.of(recall, complete, max, noisyOr, imagine);
    }

    /** {@code count} distinct seeds, each from a different space while spaces last. */
    private static List<MemoryId> seeds(Graph graph, SplittableRandom random, int count) {
        List<MemoryId> seeds = new ArrayList<>();
        Set<MemorySpaceId> used = new LinkedHashSet<>();
        for (int attempt = 0; seeds.size() < count && attempt < 1000; attempt++) {
            HostEngine.Memory memory =
                    graph.memories().get(random.nextInt(graph.memories().size()));
            if (!seeds.contains(memory.id()) && (used.add(memory.space()) || attempt > 100)) {
                seeds.add(memory.id());
            }
        }
        return seeds;
    }

    private static QueryResult run(SpreadCluster cluster, Query query, boolean batching, String context)
            throws Exception {
        cluster.faults.batching(batching);
        QueryResult result = cluster.run(query);
        assertThat(result.coverage().isComplete()).as(context + ": coverage").isTrue();
        assertThat(result.coverage().missing()).as(context).isEmpty();
        return result;
    }

    /**
     * The same answer: with the whole answer, the same ids with the same confidence, activation and similarity;
     * either way the same confidences rank by rank (ties may order differently), and the same base confidence.
     */
    private static void assertSame(QueryResult actual, QueryResult expected, boolean whole, String context) {
        assertThat(actual.matches()).as(context + ": size").hasSameSizeAs(expected.matches());
        for (int i = 0; i < expected.matches().size(); i++) {
            assertThat(actual.matches().get(i).confidence().value())
                    .as(context + ": rank " + i)
                    .isCloseTo(expected.matches().get(i).confidence().value(), within(1e-9));
        }
        assertThat(actual.baseConfidence().value())
                .as(context + ": base confidence")
                .isCloseTo(expected.baseConfidence().value(), within(1e-9));
        if (!whole) {
            return;
        }
        Map<MemoryId, Match> byId = byId(actual);
        Map<MemoryId, Match> wanted = byId(expected);
        assertThat(byId.keySet()).as(context + ": ids").isEqualTo(wanted.keySet());
        wanted.forEach((id, want) -> {
            Match got = byId.get(id);
            String where = context + " " + id;
            assertThat(got.space()).as(where).isEqualTo(want.space());
            assertThat(got.content()).as(where).isEqualTo(want.content());
            assertThat(got.fields()).as(where).isEqualTo(want.fields());
            assertThat(got.embedding()).as(where).isEqualTo(want.embedding());
            assertThat(got.confidence().value())
                    .as(where)
                    .isCloseTo(want.confidence().value(), within(1e-9));
            assertThat(got.activation().isPresent())
                    .as(where)
                    .isEqualTo(want.activation().isPresent());
            want.activation()
                    .ifPresent(a -> assertThat(got.activation().getAsDouble())
                            .as(where + " activation")
                            .isCloseTo(a, within(1e-9)));
            assertThat(got.similarity().isPresent())
                    .as(where)
                    .isEqualTo(want.similarity().isPresent());
            want.similarity()
                    .ifPresent(s -> assertThat(got.similarity().getAsDouble())
                            .as(where + " similarity")
                            .isCloseTo(s, within(1e-9)));
        });
    }

    private static Map<MemoryId, Match> byId(QueryResult result) {
        Map<MemoryId, Match> byId = new HashMap<>();
        for (Match match : result.matches()) {
            assertThat(byId.put(match.memoryId(), match))
                    .as("%s listed twice", match.memoryId())
                    .isNull();
        }
        return byId;
    }

    /**
     * The spread as DESIGN.md defines it, computed here over the whole graph (the comparison above can not see a
     * mistake the engine makes alike on every node): layer 0 the seeds at 1; layer h combines per memory
     * {@code a(u) × weight × (1 − decay)} over its in-edges from layer h − 1, kept when at least the threshold; a
     * memory's activation combines its layers 1..max hops; seeds are left out.
     */
    private static void assertDefinition(QueryResult result, Graph graph, SpreadQuery query, String context) {
        DoubleBinaryOperator combine =
                query.options().mergePolicy().orElseThrow().equals(MaxMergePolicy.NAME)
                        ? Math::max
                        : (a, b) -> 1.0 - (1.0 - a) * (1.0 - b);
        Map<MemoryId, HostEngine.Memory> byId = new HashMap<>();
        graph.memories().forEach(m -> byId.put(m.id(), m));
        Map<MemoryId, Double> total = SpreadGraphs.definition(
                query,
                combine,
                memory -> byId.get(memory).edges().stream()
                        .map(edge -> Map.entry(edge.to(), edge.weight()))
                        .toList());
        Map<MemoryId, Match> actual = byId(result);
        assertThat(actual.keySet()).as(context + ": ids against the definition").isEqualTo(total.keySet());
        total.forEach(
                (memory, value) -> assertThat(actual.get(memory).activation().getAsDouble())
                        .as(context + " " + memory + " against the definition")
                        .isCloseTo(value, within(1e-9)));
    }

    /** Counts what the trial's whole answers show about crossing spaces and nodes. */
    private static void observe(
            Query query, QueryResult result, Graph graph, Map<NodeId, Set<MemorySpaceId>> placement, Seen seen) {
        Map<MemorySpaceId, NodeId> nodeOf = new HashMap<>();
        placement.forEach((node, spaces) -> spaces.forEach(space -> nodeOf.put(space, node)));
        Set<NodeId> answering =
                result.matches().stream().map(m -> nodeOf.get(m.space())).collect(Collectors.toSet());
        if (query instanceof RecallQuery recall) {
            assertThat(result.matches())
                    .allMatch(m -> m.confidence().compareTo(recall.minConfidence()) >= 0, "at least min confidence");
        }
        if (query instanceof SpreadQuery spread) {
            assertThat(result.matches()).noneMatch(m -> spread.seeds().contains(m.memoryId()), "a seed");
            Set<MemorySpaceId> seedSpaces =
                    spread.seeds().stream().map(graph.spaceOf()::get).collect(Collectors.toSet());
            Set<NodeId> seedNodes = seedSpaces.stream().map(nodeOf::get).collect(Collectors.toSet());
            seen.spreadsCrossingSpaces +=
                    result.matches().stream().anyMatch(m -> !seedSpaces.contains(m.space())) ? 1 : 0;
            seen.multiRoundSpreads += result.spread().orElseThrow().rounds() > 1 ? 1 : 0;
            seen.spreadsCrossingNodes += answering.stream().anyMatch(n -> !seedNodes.contains(n)) ? 1 : 0;
        } else if (query instanceof ImagineQuery imagine) {
            assertThat(result.matches()).noneMatch(m -> imagine.seeds().contains(m.memoryId()), "a seed");
            long seedNodes = imagine.seeds().stream()
                    .map(seed -> nodeOf.get(graph.spaceOf().get(seed)))
                    .distinct()
                    .count();
            seen.imaginesSeededOnSeveralNodes += seedNodes > 1 ? 1 : 0;
            seen.imaginesAnsweredFromSeveralNodes += answering.size() > 1 ? 1 : 0;
        }
    }

    /** Memories noisy-or activates above their best walk (max); never below it. */
    private static int reinforced(QueryResult max, QueryResult noisyOr) {
        Map<MemoryId, Match> best = byId(max);
        int count = 0;
        for (Match match : noisyOr.matches()) {
            double walk = best.containsKey(match.memoryId())
                    ? best.get(match.memoryId()).activation().getAsDouble()
                    : 0.0;
            assertThat(match.activation().getAsDouble())
                    .as("noisy-or of %s", match.memoryId())
                    .isGreaterThanOrEqualTo(walk - 1e-12);
            count += match.activation().getAsDouble() > walk + 1e-6 ? 1 : 0;
        }
        return count;
    }

    /** Calls the coordinator made to other nodes so far: one per partition, or one per node request. */
    private static long calls(SpreadCluster cluster, Map<NodeId, Set<MemorySpaceId>> placement) {
        return placement.keySet().stream().mapToLong(cluster.faults::calls).sum();
    }

    private static SpreadCluster cluster(
            Graph graph,
            Map<NodeId, Set<MemorySpaceId>> placement,
            Function<MemoryId, Optional<MemorySpaceId>> directory) {
        Map<NodeId, HostEngine> engines = new LinkedHashMap<>();
        placement.forEach((node, spaces) -> engines.put(
                node,
                new HostEngine(
                        node,
                        DIMENSIONS,
                        graph.memories().stream()
                                .filter(m -> spaces.contains(m.space()))
                                .toList())));
        return new SpreadCluster(engines, placement, directory, QueryConfig.defaults(), wire -> wire, List.of());
    }

    /** Spaces s1..sK (4 ≤ K ≤ 9) of 3 to 20 memories, edges within and across spaces with random weights. */
    private static Graph randomGraph(SplittableRandom random) {
        int spaceCount = 4 + random.nextInt(6);
        int[] sizes = new int[spaceCount + 1];
        for (int s = 1; s <= spaceCount; s++) {
            sizes[s] = 3 + random.nextInt(18);
        }
        double cross = 0.15 + 0.45 * random.nextDouble();
        List<HostEngine.Memory> memories = new ArrayList<>();
        Map<MemoryId, MemorySpaceId> spaceOf = new HashMap<>();
        for (int s = 1; s <= spaceCount; s++) {
            MemorySpaceId space = MemorySpaceId.of("s" + s);
            for (int i = 0; i < sizes[s]; i++) {
                List<HostEngine.Edge> edges = new ArrayList<>();
                for (int e = random.nextInt(5); e > 0; e--) {
                    int target = s;
                    if (random.nextDouble() < cross) {
                        target = 1 + random.nextInt(spaceCount - 1);
                        target = target >= s ? target + 1 : target;
                    }
                    double weight = random.nextInt(6) == 0 ? 1.0 : 1.0 - random.nextDouble();
                    edges.add(new HostEngine.Edge(memoryId(target, random.nextInt(sizes[target])), weight));
                }
                Map<String, String> fields = new HashMap<>();
                fields.put("colour", COLOURS.get(random.nextInt(COLOURS.size())));
                if (random.nextBoolean()) {
                    fields.put("size", SIZES.get(random.nextInt(SIZES.size())));
                }
                MemoryId id = memoryId(s, i);
                memories.add(new HostEngine.Memory(
                        id, space, vector(random), "memory " + i + " of " + space, fields, edges));
                spaceOf.put(id, space);
            }
        }
        return new Graph(memories, spaceOf);
    }

    private static MemoryId memoryId(int space, int index) {
        return MemoryId.of("s" + space + "-m" + index);
    }

    private static float[] vector(SplittableRandom random) {
        float[] vector = new float[DIMENSIONS];
        for (int d = 0; d < DIMENSIONS; d++) {
            vector[d] = (float) (random.nextDouble() * 2 - 1);
        }
        return vector;
    }

    /** Each space on one of nodes n1..n{count}, the first node coordinating; a node may hold none. */
    private static Map<NodeId, Set<MemorySpaceId>> place(
            List<MemorySpaceId> spaces, int count, SplittableRandom random) {
        Map<NodeId, Set<MemorySpaceId>> placement = new LinkedHashMap<>();
        for (int n = 1; n <= count; n++) {
            placement.put(NodeId.of("n" + n), new LinkedHashSet<>());
        }
        for (MemorySpaceId space : spaces) {
            placement.get(NodeId.of("n" + (1 + random.nextInt(count)))).add(space);
        }
        return placement;
    }
}
