package io.engram.query.executor.spread;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.engram.query.aggregation.merge.MatchOrder;
import io.engram.query.aggregation.merge.MaxMergePolicy;
import io.engram.query.aggregation.merge.NoisyOrMergePolicy;
import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.NodeId;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryResult;
import io.engram.query.api.SpreadQuery;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.engine.Memory;
import io.engram.query.executor.engine.MemoryStore;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.spi.MergePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The spread's activation is defined hop by hop with the query's merge policy as combiner (DESIGN.md, "Execution model
 * v2"). Over random graphs placed on 3 to 5 nodes, several spaces per node, a distributed spread equals the same spread
 * on one node holding every space, and both equal the definition computed here directly, for {@code max},
 * {@code noisy-or} and a third party's policy that defines only {@link MergePolicy#merge}; {@code noisy-or} differs
 * from {@code max} where a memory is reached along several paths.
 */
class SpreadMergePolicyPropertyTest {
    /** A third party's policy: activations add up, capped at 1. It defines only merge, so combine is the default's. */
    static final class CappedSumPolicy implements MergePolicy {
        static final String NAME = "capped-sum";

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Match merge(Match a, Match b) {
            Match representative = MatchOrder.TIE_BREAK.compare(a, b) <= 0 ? a : b;
            return representative.withConfidence(Confidence.of(
                    Math.min(1.0, a.confidence().value() + b.confidence().value())));
        }

        @Override
        public Confidence baseConfidence(List<Match> matches) {
            return matches.isEmpty() ? Confidence.NONE : matches.get(0).confidence();
        }
    }

    private static final Map<String, DoubleBinaryOperator> DEFINITIONS = Map.of(
            MaxMergePolicy.NAME, Math::max,
            NoisyOrMergePolicy.NAME, (a, b) -> Math.min(1.0, a + b - a * b),
            CappedSumPolicy.NAME, (a, b) -> Math.min(1.0, a + b));

    @Test
    void everyPolicyGivesTheSameSpreadDistributedAsOnOneNodeAndAsItsDefinition() throws Exception {
        SplittableRandom random = new SplittableRandom(1717);
        int reinforced = 0;
        int multiNodeTrials = 0;
        for (int trial = 0; trial < 30; trial++) {
            List<Memory> memories = SpreadGraphs.randomGraph(random, 6, 12);
            List<MemoryId> seeds = new ArrayList<>();
            for (int s = 1 + random.nextInt(3); seeds.size() < s; ) {
                MemoryId seed = memories.get(random.nextInt(memories.size())).id();
                if (!seeds.contains(seed)) {
                    seeds.add(seed);
                }
            }
            int nodes = 3 + random.nextInt(3);
            Map<NodeId, MemoryStore> placed = SpreadGraphs.spreadOver(memories, nodes, new SplittableRandom(trial));
            Map<NodeId, MemoryStore> oneNode = SpreadGraphs.spreadOver(memories, 1, new SplittableRandom(trial));
            multiNodeTrials +=
                    placed.values().stream().filter(s -> s.spaces().size() > 1).count() > 0 ? 1 : 0;
            int maxHops = 2 + random.nextInt(3);
            double decay = 0.3 * random.nextDouble();
            double threshold = new double[] {0.01, 0.05}[random.nextInt(2)];
            Map<String, Map<MemoryId, Double>> byPolicy = new HashMap<>();
            for (String policy : List.of(MaxMergePolicy.NAME, NoisyOrMergePolicy.NAME, CappedSumPolicy.NAME)) {
                SpreadQuery query = new SpreadQuery(
                        seeds,
                        List.of(),
                        maxHops,
                        decay,
                        threshold,
                        QueryOptions.limit(1000) // above every graph's size: the whole answer
                                .withTimeout(Duration.ofSeconds(10))
                                .withMergePolicy(policy));
                String context = "trial " + trial + ", " + policy + ", " + nodes + " nodes, " + query;
                Map<MemoryId, Double> definition = definition(memories, query, DEFINITIONS.get(policy));
                Map<MemoryId, Double> distributed = run(placed, query, false, context);
                Map<MemoryId, Double> perNode = run(placed, query, true, context + " (one request per node)");
                Map<MemoryId, Double> local = run(oneNode, query, false, context + " (one node)");

                assertClose(distributed, definition, context + ": distributed against the definition");
                assertClose(perNode, definition, context + ": one request per node against the definition");
                assertClose(local, definition, context + ": one node against the definition");
                byPolicy.put(policy, distributed);
            }
            Map<MemoryId, Double> max = byPolicy.get(MaxMergePolicy.NAME);
            Map<MemoryId, Double> noisyOr = byPolicy.get(NoisyOrMergePolicy.NAME);
            assertThat(noisyOr.keySet()).as("trial " + trial).containsAll(max.keySet());
            for (Map.Entry<MemoryId, Double> entry : noisyOr.entrySet()) {
                // Never below the best walk; above it where paths reinforce, which may even lift a memory whose every
                // single walk falls under the threshold into the answer.
                double best = max.getOrDefault(entry.getKey(), 0.0);
                assertThat(entry.getValue())
                        .as("trial " + trial + " " + entry.getKey())
                        .isGreaterThanOrEqualTo(best);
                if (entry.getValue() > best + 1e-6) {
                    reinforced++;
                }
            }
        }
        assertThat(multiNodeTrials).isGreaterThan(20);
        assertThat(reinforced)
                .as("memories noisy-or activates above their best walk")
                .isGreaterThan(30);
    }

    /** The spread's activations, with one request per node ({@code batching}) or per partition. */
    private static Map<MemoryId, Double> run(
            Map<NodeId, MemoryStore> stores, SpreadQuery query, boolean batching, String context) throws Exception {
        QueryResult result;
        try (SpreadCluster cluster = new SpreadCluster(
                stores,
                SyntheticDataGenerator::spaceOf,
                SyntheticDataGenerator::spaceOf,
                QueryConfig.defaults(),
                transport -> transport,
                List.of(new CappedSumPolicy()))) {
            cluster.faults.batching(batching);
            result = cluster.run(query);
        }
        assertThat(result.coverage().isComplete()).as(context).isTrue();
        for (Match match : result.matches()) {
            assertThat(match.confidence().value())
                    .as(context)
                    .isCloseTo(match.activation().getAsDouble(), within(1e-12));
        }
        return result.matches().stream()
                .collect(Collectors.toMap(Match::memoryId, m -> m.activation().getAsDouble()));
    }

    /** The spread from its definition ({@link SpreadGraphs#definition}) over every memory of the graph. */
    private static Map<MemoryId, Double> definition(
            List<Memory> memories, SpreadQuery query, DoubleBinaryOperator combine) {
        Map<MemoryId, Memory> byId = new HashMap<>();
        memories.forEach(m -> byId.put(m.id(), m));
        return SpreadGraphs.definition(
                query,
                combine,
                memory -> byId.get(memory).edges().stream()
                        .filter(edge -> byId.containsKey(edge.to()))
                        .map(edge -> Map.entry(edge.to(), edge.weight()))
                        .toList());
    }

    private static void assertClose(Map<MemoryId, Double> actual, Map<MemoryId, Double> expected, String context) {
        assertThat(actual.keySet()).as(context).isEqualTo(expected.keySet());
        expected.forEach((memory, value) ->
                assertThat(actual.get(memory)).as(context + " " + memory).isCloseTo(value, within(1e-9)));
    }
}
