package io.engram.query.executor.spread;

import static io.engram.query.executor.spread.SpreadGraphs.memory;
import static io.engram.query.executor.spread.SpreadGraphs.store;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.codahale.metrics.Histogram;
import io.engram.query.api.ConsistencyException;
import io.engram.query.api.Deadline;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.PartitionOutcome;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryResult;
import io.engram.query.api.SpreadQuery;
import io.engram.query.api.SpreadStats;
import io.engram.query.api.Ticker;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.engine.Edge;
import io.engram.query.executor.engine.EmbeddedQueryEngine;
import io.engram.query.executor.engine.Memory;
import io.engram.query.executor.engine.MemoryStore;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.executor.fault.Fault;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.Transport;
import io.engram.query.spi.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class SpreadCoordinatorTest {
    private static final MemorySpaceId ALL = MemorySpaceId.of("all");
    private static final Function<MemoryId, Optional<MemorySpaceId>> UNKNOWN = id -> Optional.empty();
    private static final Function<MemoryId, Optional<MemorySpaceId>> BY_NAME = SyntheticDataGenerator::spaceOf;
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");

    @Test
    void distributedSpreadEqualsOneNodeSpreadOverTheWholeGraph() throws Exception {
        SplittableRandom random = new SplittableRandom(2024);
        int multiRound = 0;
        int crossed = 0;
        for (int trial = 0; trial < 60; trial++) {
            List<Memory> memories = SpreadGraphs.randomGraph(random, 2, 6);
            List<MemorySpaceId> spaces =
                    memories.stream().map(Memory::space).distinct().sorted().toList();
            List<MemorySpaceId> named = random.nextInt(4) == 0 ? spaces.subList(0, spaces.size() - 1) : List.of();
            List<MemoryId> seeds = new ArrayList<>();
            for (int s = 1 + random.nextInt(3); seeds.size() < s; ) {
                MemoryId seed = memories.get(random.nextInt(memories.size())).id();
                if (!seeds.contains(seed)) {
                    seeds.add(seed);
                }
            }
            int limit = random.nextInt(3) == 0 ? 1 + random.nextInt(8) : QueryOptions.MAX_LIMIT;
            SpreadQuery query = new SpreadQuery(
                    seeds,
                    named,
                    1 + random.nextInt(5),
                    0.5 * random.nextDouble(),
                    new double[] {0.01, 0.05, 0.2}[random.nextInt(3)],
                    QueryOptions.limit(limit).withTimeout(Duration.ofSeconds(10)));
            int mode = random.nextInt(3);
            String context = "trial " + trial + " (mode " + mode + ", " + query + ")";

            QueryResult result;
            try (SpreadCluster cluster = new SpreadCluster(
                    SpreadGraphs.spreadOver(memories, 3 + random.nextInt(3), random),
                    mode == 0 ? BY_NAME : UNKNOWN,
                    mode == 2 ? UNKNOWN : BY_NAME,
                    QueryConfig.defaults())) {
                result = cluster.run(query);
            }
            List<Match> expected = oneNodeSpread(memories, named.isEmpty() ? spaces : named, query);

            assertThat(result.coverage().isComplete()).as(context).isTrue();
            assertThat(result.spread()).as(context).isPresent();
            SpreadStats stats = result.spread().orElseThrow();
            assertThat(stats.stoppedEarly()).as(context).isFalse();
            assertThat(stats.rounds()).as(context).isBetween(1, query.maxHops() + 1);
            assertThat(result.matches()).as(context).hasSize(expected.size());
            if (limit == QueryOptions.MAX_LIMIT) {
                Map<MemoryId, Double> actual = activations(result.matches());
                Map<MemoryId, Double> wanted = activations(expected);
                assertThat(actual.keySet()).as(context).isEqualTo(wanted.keySet());
                wanted.forEach((id, activation) ->
                        assertThat(actual.get(id)).as(context + " " + id).isCloseTo(activation, within(1e-9)));
                for (Match match : result.matches()) {
                    assertThat(match.space())
                            .as(context)
                            .isEqualTo(SyntheticDataGenerator.spaceOf(match.memoryId())
                                    .orElseThrow());
                }
            }
            for (int i = 0; i < expected.size(); i++) {
                // Ties may order differently (the merged graph is one space), but the activations agree rank by rank.
                assertThat(result.matches().get(i).activation().getAsDouble())
                        .as(context + " rank " + i)
                        .isCloseTo(expected.get(i).activation().getAsDouble(), within(1e-9));
            }
            multiRound += stats.rounds() > 1 ? 1 : 0;
            crossed += result.matches().stream()
                            .anyMatch(m -> seeds.stream()
                                    .noneMatch(s ->
                                            SyntheticDataGenerator.spaceOf(s).equals(Optional.of(m.space()))))
                    ? 1
                    : 0;
        }
        assertThat(multiRound).isGreaterThan(30);
        assertThat(crossed).isGreaterThan(20);
    }

    @Test
    void distributedSpreadOverGeneratedDataWithCrossSpaceEdgesEqualsOneNode() throws Exception {
        SyntheticSpec spec = new SyntheticSpec(5, 80, 4, 4, 4, 0.3, 7L);
        SyntheticDataGenerator data = new SyntheticDataGenerator(spec);
        List<Memory> memories = new ArrayList<>();
        data.spaces().forEach(space -> memories.addAll(data.memories(space)));
        Map<NodeId, MemoryStore> stores = new LinkedHashMap<>();
        for (int node = 1; node <= 3; node++) {
            int n = node;
            stores.put(NodeId.of("n" + n), data.store(space -> data.spaces().indexOf(space) % 3 == n - 1));
        }
        SpreadQuery query = new SpreadQuery(
                List.of(
                        SyntheticDataGenerator.memoryId(data.spaces().get(0), 3),
                        SyntheticDataGenerator.memoryId(data.spaces().get(3), 11)),
                List.of(),
                4,
                0.1,
                0.01,
                QueryOptions.limit(QueryOptions.MAX_LIMIT).withTimeout(Duration.ofSeconds(10)));

        QueryResult result;
        try (SpreadCluster cluster = new SpreadCluster(stores, BY_NAME, BY_NAME, QueryConfig.defaults())) {
            result = cluster.run(query);
        }
        Map<MemoryId, Double> expected = activations(oneNodeSpread(memories, data.spaces(), query));

        assertThat(result.spread()).contains(new SpreadStats(5, false));
        assertThat(expected).hasSizeGreaterThan(100);
        Map<MemoryId, Double> actual = activations(result.matches());
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        expected.forEach((id, a) -> assertThat(actual.get(id)).as(id.value()).isCloseTo(a, within(1e-9)));
        assertThat(actual.keySet().stream()
                        .map(id -> SyntheticDataGenerator.spaceOf(id).orElseThrow())
                        .distinct())
                .hasSize(5);
    }

    /**
     * s1 (n1): seed s1-m0 → s1-m1 (0.9) → s2-m0 (0.8); s1-m0 → s3-m0 (0.5). s2 (n2): s2-m0 → s2-m1 (0.9). s3 (n3):
     * s3-m0 → s3-m1 (0.9). Factor 0.9, 3 hops.
     */
    private static Map<NodeId, MemoryStore> chain() {
        return Map.of(
                N1,
                        store(
                                memory("s1-m0", Edge.of("s1-m1", 0.9), Edge.of("s3-m0", 0.5)),
                                memory("s1-m1", Edge.of("s2-m0", 0.8))),
                N2, store(memory("s2-m0", Edge.of("s2-m1", 0.9)), memory("s2-m1")),
                N3, store(memory("s3-m0", Edge.of("s3-m1", 0.9)), memory("s3-m1")));
    }

    private static final SpreadQuery CHAIN_QUERY = new SpreadQuery(
            List.of(MemoryId.of("s1-m0")),
            List.of(),
            3,
            0.1,
            0.01,
            QueryOptions.limit(10).withTimeout(Duration.ofMillis(400)));

    @Test
    void roundsFollowTheFrontierFromTheSeedSpaceOnly() throws Exception {
        QueryResult result;
        SpreadCluster cluster = new SpreadCluster(ordered(chain()), BY_NAME, BY_NAME, QueryConfig.defaults());
        try (cluster) {
            result = cluster.run(CHAIN_QUERY);
            assertThat(cluster.faults.calls(N2)).isEqualTo(1);
            assertThat(cluster.faults.calls(N3)).isEqualTo(1);
            Histogram rounds = cluster.registry.histogram(QueryMetrics.SPREAD_ROUNDS);
            Histogram frontier = cluster.registry.histogram(QueryMetrics.SPREAD_FRONTIER);
            assertThat(rounds.getCount()).isEqualTo(1);
            assertThat(rounds.getSnapshot().getValues()).containsExactly(2);
            assertThat(frontier.getSnapshot().getValues()).containsExactly(0, 2);
            // one client query, one execution per round
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> cluster.clientQueriesFinished() == 1);
            assertThat(cluster.clientQueriesStarted()).isEqualTo(1);
            assertThat(cluster.metrics.count(QueryMetrics.labelled(QueryMetrics.SCATTERS, "phase", "spread_round")))
                    .isEqualTo(2);
            assertThat(cluster.metrics.count(QueryMetrics.labelled(QueryMetrics.SCATTERS, "phase", "query")))
                    .isZero();
            assertThat(cluster.metrics.inFlight()).isZero();
        }

        assertThat(result.spread()).contains(new SpreadStats(2, false));
        assertThat(result.partitions())
                .extracting(PartitionOutcome::space)
                .containsExactly(space("s1"), space("s2"), space("s3"));
        assertThat(activations(result.matches())).containsOnlyKeys(ids("s1-m1", "s2-m0", "s2-m1", "s3-m0", "s3-m1"));
        assertThat(activations(result.matches()).get(MemoryId.of("s2-m1")))
                .isCloseTo(0.81 * 0.9 * 0.8 * 0.81, within(1e-12));
        assertThat(result.coverage().isComplete()).isTrue();
        assertThat(result.confidence()).isEqualTo(result.baseConfidence());
    }

    @Test
    void eachPartitionRequestCarriesOnlyTheSeedsOfItsSpaceAndThoseTheDirectoryCanNotPlace() throws Exception {
        // s1-m0 lives on the coordinator (s1), s3-m0 on n3; the directory can not place x-1, which no node holds.
        SpreadQuery query = new SpreadQuery(
                List.of(ids("s1-m0", "s3-m0", "x-1")),
                List.of(),
                3,
                0.1,
                0.01,
                QueryOptions.limit(10).withTimeout(Duration.ofSeconds(10)));
        Map<MemorySpaceId, List<List<MemoryId>>> placed = new ConcurrentHashMap<>();
        Map<MemorySpaceId, List<List<MemoryId>>> unplaced = new ConcurrentHashMap<>();
        QueryResult narrowed = runRecording(query, BY_NAME, placed);
        QueryResult whole = runRecording(query, UNKNOWN, unplaced);

        // n2's s2 holds no seed: round 1 (x-1 could be anywhere) and round 2 (the crossing from s1-m1) get x-1 only.
        assertThat(placed.get(space("s2"))).containsExactly(List.of(ids("x-1")), List.of(ids("x-1")));
        assertThat(placed.get(space("s3"))).containsExactly(List.of(ids("s3-m0", "x-1")));
        // A directory that places nothing sends every seed everywhere.
        assertThat(unplaced.get(space("s2")))
                .allSatisfy(seeds -> assertThat(seeds).containsExactly(ids("s1-m0", "s3-m0", "x-1")));
        assertThat(unplaced.get(space("s3")))
                .allSatisfy(seeds -> assertThat(seeds).containsExactly(ids("s1-m0", "s3-m0", "x-1")));
        // The same answer either way: a partition spreads from, and leaves out, only the seeds it holds.
        assertThat(activations(narrowed.matches())).isEqualTo(activations(whole.matches()));
        assertThat(activations(narrowed.matches())).containsOnlyKeys(ids("s1-m1", "s2-m0", "s2-m1", "s3-m1"));
    }

    @Test
    void aSpaceHoldingNoSeedGetsTheFirstSeedAndIgnoresIt() throws Exception {
        SpreadQuery query = new SpreadQuery(
                List.of(ids("s3-m0", "s1-m0")),
                List.of(),
                3,
                0.1,
                0.01,
                QueryOptions.limit(10).withTimeout(Duration.ofSeconds(10)));
        Map<MemorySpaceId, List<List<MemoryId>>> seen = new ConcurrentHashMap<>();
        QueryResult result = runRecording(query, BY_NAME, seen);

        assertThat(seen.get(space("s3"))).containsExactly(List.of(ids("s3-m0")));
        assertThat(seen.get(space("s2"))).containsExactly(List.of(ids("s3-m0")));
        assertThat(activations(result.matches())).containsOnlyKeys(ids("s1-m1", "s2-m0", "s2-m1", "s3-m1"));
        assertThat(result.coverage().isComplete()).isTrue();
    }

    @Test
    void laterRoundsSpreadWithTheRoundsFloorAsTheirThreshold() throws Exception {
        // Round 1 activates s1-m1 at 0.45 and crosses into s2-m0 at 0.9; with limit 1 the floor is then 0.45.
        Map<NodeId, MemoryStore> stores = new LinkedHashMap<>();
        stores.put(N1, store(memory("s1-m0", Edge.of("s1-m1", 0.5), Edge.of("s2-m0", 1.0)), memory("s1-m1")));
        stores.put(N2, store(memory("s2-m0", Edge.of("s2-m1", 0.9)), memory("s2-m1")));
        stores.put(N3, store(memory("s3-m0")));
        Map<MemorySpaceId, List<Double>> thresholds = new ConcurrentHashMap<>();
        Function<Transport, Transport> recording = transport -> (node, request) -> {
            thresholds
                    .computeIfAbsent(request.space(), s -> new CopyOnWriteArrayList<>())
                    .add(((SpreadQuery) request.query()).threshold());
            return transport.execute(node, request);
        };
        SpreadQuery query = new SpreadQuery(
                List.of(ids("s1-m0")),
                List.of(),
                3,
                0.1,
                0.01,
                QueryOptions.limit(1).withTimeout(Duration.ofSeconds(10)));
        QueryResult result;
        try (SpreadCluster cluster = new SpreadCluster(stores, BY_NAME, BY_NAME, QueryConfig.defaults(), recording)) {
            result = cluster.run(query);
        }

        assertThat(thresholds.get(space("s2"))).hasSize(1);
        assertThat(thresholds.get(space("s2")).get(0)).isCloseTo(0.45, within(1e-12));
        assertThat(activations(result.matches())).containsOnlyKeys(ids("s2-m0"));
        assertThat(activations(result.matches()).get(MemoryId.of("s2-m0"))).isCloseTo(0.9, within(1e-12));
        assertThat(result.spread()).contains(new SpreadStats(2, false));
    }

    /** Runs {@code query} over {@link #chain()}, recording the seeds of each remote partition request by space. */
    private static QueryResult runRecording(
            SpreadQuery query,
            Function<MemoryId, Optional<MemorySpaceId>> directory,
            Map<MemorySpaceId, List<List<MemoryId>>> seeds)
            throws Exception {
        Function<Transport, Transport> recording = transport -> (node, request) -> {
            seeds.computeIfAbsent(request.space(), s -> new CopyOnWriteArrayList<>())
                    .add(((SpreadQuery) request.query()).seeds());
            return transport.execute(node, request);
        };
        try (SpreadCluster cluster =
                new SpreadCluster(ordered(chain()), BY_NAME, directory, QueryConfig.defaults(), recording)) {
            return cluster.run(query);
        }
    }

    @Test
    void nodeFailingInALaterRoundLeavesTheReachablePartWithThePenalty() throws Exception {
        QueryResult result;
        try (SpreadCluster cluster = new SpreadCluster(ordered(chain()), BY_NAME, BY_NAME, QueryConfig.defaults())) {
            cluster.faults.inject(N3, Fault.fail(TransportException.failed("node lost", false)));
            result = cluster.run(CHAIN_QUERY);
        }

        // s3-m0's activation is reported by its own space, which is lost.
        assertThat(activations(result.matches())).containsOnlyKeys(ids("s1-m1", "s2-m0", "s2-m1"));
        assertThat(result.coverage().expectedPartitions()).isEqualTo(3);
        assertThat(result.coverage().respondingPartitions()).isEqualTo(2);
        assertThat(result.coverage().ratio()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(result.coverage().missing())
                .containsExactly(MissingPartition.of(space("s3"), N3, MissingReason.FAILED, "round 2: node lost"));
        assertThat(result.confidence().value())
                .isCloseTo(result.baseConfidence().value() * 2.0 / 3, within(1e-12));
        assertThat(result.spread()).contains(new SpreadStats(2, false));
    }

    @Test
    void aSpreadThatCouldGatherTooManyMatchesIsRefusedBeforeItsFirstRound() throws Exception {
        // 10 over the 3 spaces it may reach is 30 > 15; its first round alone (the seed's space: 10) would pass
        QueryConfig config = QueryConfig.fromToml("[query]\nmax_result_matches = 15\n");
        try (SpreadCluster cluster = new SpreadCluster(ordered(chain()), BY_NAME, BY_NAME, config)) {
            assertThatThrownBy(() -> cluster.run(CHAIN_QUERY))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("limit 10 over 3 partitions could gather 30 matches, more than this node allows for one"
                            + " query (query.max_result_matches 15); lower the limit or name fewer spaces");
            assertThat(cluster.faults.calls(N1) + cluster.faults.calls(N2) + cluster.faults.calls(N3))
                    .isZero();
        }
    }

    @Test
    void aSpreadFailingItsConsistencyIsCountedAsFailedOnce() throws Exception {
        SpreadQuery all = new SpreadQuery(
                CHAIN_QUERY.seeds(),
                List.of(),
                CHAIN_QUERY.maxHops(),
                CHAIN_QUERY.decay(),
                CHAIN_QUERY.threshold(),
                CHAIN_QUERY.options().withConsistency("all"));
        try (SpreadCluster cluster = new SpreadCluster(ordered(chain()), BY_NAME, BY_NAME, QueryConfig.defaults())) {
            cluster.faults.inject(N3, Fault.fail(TransportException.failed("node lost", false)));

            assertThatThrownBy(() -> cluster.run(all)).isInstanceOf(ConsistencyException.class);
            assertThat(cluster.metrics.count(
                            QueryMetrics.labelled(QueryMetrics.FAILED_QUERIES, "reason", "consistency")))
                    .isEqualTo(1);
        }
    }

    @Test
    void hungNodeEndsTheSpreadAtTheDeadlineWithWhatArrived() throws Exception {
        QueryResult result;
        try (SpreadCluster cluster = new SpreadCluster(ordered(chain()), BY_NAME, BY_NAME, QueryConfig.defaults())) {
            cluster.faults.inject(N3, Fault.hang());
            result = cluster.run(CHAIN_QUERY);
        }

        assertThat(activations(result.matches())).containsOnlyKeys(ids("s1-m1", "s2-m0", "s2-m1"));
        assertThat(result.coverage().missing()).singleElement().satisfies(m -> {
            assertThat(m.space()).isEqualTo(space("s3"));
            assertThat(m.node()).contains(N3);
            assertThat(m.reason()).isEqualTo(MissingReason.TIMEOUT);
            assertThat(m.detail()).startsWith("round 2: no answer within");
        });
        assertThat(result.confidence().value())
                .isLessThan(result.baseConfidence().value());
        assertThat(result.spread()).contains(new SpreadStats(2, true));
    }

    @Test
    void frontierLeftAtTheDeadlineCountsAsTimedOutPartitions() throws Exception {
        // Round 2 waits for hung s3 until the deadline; s2 answered with a frontier into s4 that no round can spread.
        Map<NodeId, MemoryStore> stores = ordered(Map.of(
                N1, store(memory("s1-m0", Edge.of("s2-m0", 0.9), Edge.of("s3-m0", 0.9))),
                N2, store(memory("s2-m0", Edge.of("s4-m0", 0.9)), memory("s4-m0")),
                N3, store(memory("s3-m0"))));
        QueryResult result;
        try (SpreadCluster cluster = new SpreadCluster(stores, BY_NAME, BY_NAME, QueryConfig.defaults())) {
            cluster.faults.inject(N3, Fault.hang());
            result = cluster.run(new SpreadQuery(
                    List.of(MemoryId.of("s1-m0")),
                    List.of(),
                    3,
                    0.1,
                    0.01,
                    QueryOptions.limit(10).withTimeout(Duration.ofMillis(1000))));
            assertThat(cluster.faults.calls(N2)).isEqualTo(1);
        }

        assertThat(activations(result.matches())).containsOnlyKeys(ids("s2-m0"));
        assertThat(result.coverage().expectedPartitions()).isEqualTo(4);
        assertThat(result.coverage().respondingPartitions()).isEqualTo(2);
        assertThat(result.coverage().missing()).hasSize(2);
        assertThat(result.coverage().missing().get(0).space()).isEqualTo(space("s3"));
        assertThat(result.coverage().missing().get(1))
                .isEqualTo(MissingPartition.of(
                        space("s4"),
                        N2,
                        MissingReason.TIMEOUT,
                        "round 3 not started: the deadline passed with 1 activations to spread"));
        assertThat(result.coverage().timedOut()).isEqualTo(2);
        assertThat(result.spread()).contains(new SpreadStats(2, true));
    }

    @Test
    void weakerCrossingWithFewerHopsStillReachesFurther() throws Exception {
        // s1-m0 reaches s2-m0 directly (weak, 1 hop) and through s1-m1, s1-m2 (strong, 3 hops). With 3 hops only the
        // weak crossing can go on to s2-m1: keeping only the best activation per memory would lose s2-m1.
        Map<NodeId, MemoryStore> stores = ordered(Map.of(
                N1,
                        store(
                                memory("s1-m0", Edge.of("s2-m0", 0.2), Edge.of("s1-m1", 1.0)),
                                memory("s1-m1", Edge.of("s1-m2", 1.0)),
                                memory("s1-m2", Edge.of("s2-m0", 1.0))),
                N2, store(memory("s2-m0", Edge.of("s2-m1", 1.0)), memory("s2-m1")),
                N3, store(memory("s3-m0"))));
        SpreadQuery query =
                new SpreadQuery(List.of(MemoryId.of("s1-m0")), List.of(), 3, 0.0, 0.01, QueryOptions.limit(10));

        QueryResult result;
        try (SpreadCluster cluster = new SpreadCluster(stores, BY_NAME, BY_NAME, QueryConfig.defaults())) {
            result = cluster.run(query);
        }

        Map<MemoryId, Double> activations = activations(result.matches());
        assertThat(activations.get(MemoryId.of("s2-m0"))).isEqualTo(1.0);
        assertThat(activations.get(MemoryId.of("s2-m1"))).isEqualTo(0.2);
    }

    @Test
    void crossingBelowTheLimitThBestActivationDoesNotTravel() throws Exception {
        // Seed s3-m0 activates s3-m1 (0.81) and s3-m2 (0.72); seed s1-m0 activates nothing in s1 and crosses weakly
        // into
        // s2-m0 (0.09). s1's partition can not drop the crossing (it has no matches), but the coordinator knows the
        // answer's 2nd best is 0.72: with a limit of 2 nothing s2-m0 could reach can enter it, so no second round runs.
        Map<NodeId, MemoryStore> stores = ordered(Map.of(
                N1, store(memory("s1-m0", Edge.of("s2-m0", 0.1))),
                N2, store(memory("s2-m0", Edge.of("s2-m1", 1.0)), memory("s2-m1")),
                N3,
                        store(
                                memory("s3-m0", Edge.of("s3-m1", 0.9), Edge.of("s3-m2", 0.8)),
                                memory("s3-m1"),
                                memory("s3-m2"))));
        for (int limit : new int[] {2, 3}) {
            SpreadQuery query = new SpreadQuery(
                    List.of(ids("s1-m0", "s3-m0")),
                    List.of(),
                    3,
                    0.1,
                    0.01,
                    QueryOptions.limit(limit).withTimeout(Duration.ofSeconds(10)));
            QueryResult result;
            try (SpreadCluster cluster = new SpreadCluster(stores, BY_NAME, BY_NAME, QueryConfig.defaults())) {
                result = cluster.run(query);
                assertThat(cluster.faults.calls(N2)).as("limit " + limit).isEqualTo(limit == 2 ? 0 : 1);
            }
            if (limit == 2) {
                assertThat(result.spread()).contains(new SpreadStats(1, false));
                assertThat(activations(result.matches())).containsOnlyKeys(ids("s3-m1", "s3-m2"));
            } else {
                assertThat(result.spread()).contains(new SpreadStats(2, false));
                assertThat(activations(result.matches())).containsOnlyKeys(ids("s3-m1", "s3-m2", "s2-m0"));
                assertThat(activations(result.matches()).get(MemoryId.of("s2-m0")))
                        .isCloseTo(0.09, within(1e-12));
            }
            assertThat(result.coverage().isComplete()).isTrue();
        }
    }

    // ---------------------------------------------------------------- graphs

    /** One engine holding the whole graph (the spaces in scope) as one space: the single-node answer. */
    private static List<Match> oneNodeSpread(List<Memory> memories, List<MemorySpaceId> scope, SpreadQuery query) {
        MemoryStore.Builder builder =
                MemoryStore.builder(memories.get(0).embedding().dimensions());
        for (Memory m : memories) {
            if (scope.contains(m.space())) {
                builder.add(new Memory(m.id(), ALL, m.embedding(), m.content(), m.confidence(), m.fields(), m.edges()));
            }
        }
        EmbeddedQueryEngine engine = new EmbeddedQueryEngine(NodeId.of("single"), builder.build(), Ticker.system());
        SpreadQuery whole = new SpreadQuery(
                query.seeds(), List.of(ALL), query.maxHops(), query.decay(), query.threshold(), query.options());
        PartialResult answer =
                engine.execute(new PartitionRequest("single", whole, ALL, Deadline.after(Duration.ofSeconds(10))));
        assertThat(answer.confidenceAdjustment()).isEqualTo(1.0);
        return answer.matches();
    }

    private static Map<NodeId, MemoryStore> ordered(Map<NodeId, MemoryStore> stores) {
        Map<NodeId, MemoryStore> ordered = new LinkedHashMap<>();
        for (NodeId node : List.of(N1, N2, N3)) {
            ordered.put(node, stores.get(node));
        }
        return ordered;
    }

    private static Map<MemoryId, Double> activations(List<Match> matches) {
        Map<MemoryId, Double> out = new HashMap<>();
        for (Match match : matches) {
            out.put(match.memoryId(), match.activation().orElseThrow());
        }
        return out;
    }

    private static MemoryId[] ids(String... ids) {
        return java.util.Arrays.stream(ids).map(MemoryId::of).toArray(MemoryId[]::new);
    }

    private static MemorySpaceId space(String name) {
        return MemorySpaceId.of(name);
    }
}
