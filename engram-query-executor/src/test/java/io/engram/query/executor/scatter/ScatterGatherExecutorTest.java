package io.engram.query.executor.scatter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.engram.query.api.Confidence;
import io.engram.query.api.ConsistencyException;
import io.engram.query.api.Cue;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartitionStatus;
import io.engram.query.api.PlanStrategy;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryResult;
import io.engram.query.api.RecallQuery;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.fault.Fault;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.spi.TransportException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScatterGatherExecutorTest {
    /*
     * No assertion here reads the wall clock. A query that must answer by its deadline is run against a node that
     * never answers (or answers long after the 10 s bound of CoordinatorAssembly.await), so an answer at all proves
     * the deadline ended the wait; one that must fail fast gets a deadline longer than that bound. How late past the
     * deadline answers come is measured by the benchmarks (BENCHMARKS.md), not asserted here.
     */
    private static final long LONGER_THAN_THE_AWAIT_MS = 60_000;

    private static QueryConfig config(String toml) {
        return QueryConfig.fromToml(toml);
    }

    private static RecallQuery recall(List<String> spaces, long timeoutMs, String consistency) {
        QueryOptions options = QueryOptions.limit(10).withTimeout(Duration.ofMillis(timeoutMs));
        if (consistency != null) {
            options = options.withConsistency(consistency);
        }
        return new RecallQuery(
                spaces.stream().map(MemorySpaceId::of).toList(), Cue.of("anything"), Confidence.NONE, options);
    }

    @Test
    void allPartitionsAnsweringGiveFullConfidence() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(ExecutorFixture.onePerNode(4), QueryConfig.defaults())) {
            QueryResult result = cluster.run(recall(List.of("s1", "s2", "s3", "s4"), 2000, null));

            assertThat(result.coverage().isComplete()).isTrue();
            assertThat(result.matches()).hasSize(8);
            assertThat(result.baseConfidence().value()).isEqualTo(0.9);
            assertThat(result.confidence().value()).isEqualTo(0.9);
            assertThat(result.partitions()).extracting(p -> p.status()).containsOnly(PartitionStatus.OK);
            assertThat(cluster.metrics.scatterCount(PlanStrategy.MULTI_PARTITION))
                    .isEqualTo(1);
        }
    }

    @Test
    void droppedPartitionIsMissingAsTimeoutAndPenalisesConfidenceByTheFormula() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(ExecutorFixture.onePerNode(4), QueryConfig.defaults())) {
            cluster.faults.inject(NodeId.of("n4"), Fault.hang());

            // n4 never answers: an answer at all means the deadline ended the wait
            QueryResult result = cluster.run(recall(List.of("s1", "s2", "s3", "s4"), 300, null));

            assertThat(result.coverage().respondingPartitions()).isEqualTo(3);
            assertThat(result.coverage().ratio()).isEqualTo(0.75);
            assertThat(result.confidence().value()).isCloseTo(0.9 * 0.75, within(1e-12));
            assertThat(result.coverage().missing()).singleElement().satisfies(m -> {
                assertThat(m.space()).isEqualTo(MemorySpaceId.of("s4"));
                assertThat(m.node()).contains(NodeId.of("n4"));
                assertThat(m.reason()).isEqualTo(MissingReason.TIMEOUT);
            });
            assertThat(cluster.metrics.count(QueryMetrics.PARTIAL_TIMEOUTS)).isEqualTo(1);
            assertThat(cluster.metrics.count(QueryMetrics.MISSING_PARTITIONS)).isEqualTo(1);
        }
    }

    @Test
    void penaltyFollowsLambda() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(
                ExecutorFixture.onePerNode(4), config("[query]\npartial_confidence_penalty = 0.5\n"))) {
            cluster.faults.inject(NodeId.of("n2"), Fault.fail(TransportException.failed("boom", false)));

            QueryResult result = cluster.run(recall(List.of("s1", "s2", "s3", "s4"), 1000, null));

            assertThat(result.confidence().value()).isCloseTo(0.9 * 0.875, within(1e-12));
            assertThat(result.coverage().missing()).singleElement().satisfies(m -> {
                assertThat(m.reason()).isEqualTo(MissingReason.FAILED);
                assertThat(m.detail()).isEqualTo("boom");
            });
        }
    }

    @Test
    void hungNodeNeverMakesTheQueryOutliveItsDeadline() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(ExecutorFixture.onePerNode(8), QueryConfig.defaults())) {
            cluster.faults.inject(NodeId.of("n3"), Fault.hang());
            // n7 answers only after the await's bound: waiting for it would fail the run
            cluster.faults.inject(NodeId.of("n7"), Fault.delay(Duration.ofMillis(LONGER_THAN_THE_AWAIT_MS)));
            for (int i = 0; i < 5; i++) {
                QueryResult result =
                        cluster.run(recall(List.of("s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"), 150, null));

                assertThat(result.coverage().respondingPartitions()).isEqualTo(6);
                assertThat(result.coverage().missing())
                        .extracting(m -> m.space().value() + " " + m.reason())
                        .containsExactlyInAnyOrder("s3 TIMEOUT", "s7 TIMEOUT");
            }
        }
    }

    @Test
    void failedPrimaryIsReplacedByAReplicaWithFullCoverage() throws Exception {
        Map<String, List<String>> layout = new LinkedHashMap<>();
        layout.put("s1", List.of("n1", "n2"));
        layout.put("s2", List.of("n2", "n1"));
        try (ExecutorFixture cluster = new ExecutorFixture(layout, config("[query.hedge]\nmode = \"off\"\n"))) {
            cluster.faults.inject(NodeId.of("n1"), Fault.fail(TransportException.failed("disk on fire", false)));

            QueryResult result = cluster.run(recall(List.of("s1", "s2"), 1000, null));

            assertThat(result.coverage().isComplete()).isTrue();
            assertThat(result.confidence().value()).isEqualTo(0.9);
            assertThat(result.partitions())
                    .filteredOn(p -> p.space().equals(MemorySpaceId.of("s1")))
                    .singleElement()
                    .satisfies(p -> {
                        assertThat(p.node()).contains(NodeId.of("n2"));
                        assertThat(p.attempts()).isEqualTo(2);
                    });
            assertThat(cluster.metrics.count(QueryMetrics.FAILOVERS)).isEqualTo(1);
        }
    }

    @Test
    void slowPrimaryIsHedgedAndTheReplicasAnswerIsUsed() throws Exception {
        Map<String, List<String>> layout = new LinkedHashMap<>();
        layout.put("s1", List.of("n1", "n2"));
        try (ExecutorFixture cluster = new ExecutorFixture(
                layout, config("[query.hedge]\nmode = \"fixed\"\ndelay_ms = 20\nbudget_ratio = 1.0\n"))) {
            cluster.faults.inject(NodeId.of("n1"), Fault.delay(Duration.ofSeconds(2)));

            // n1 answers after the 1 s deadline: a complete answer came from the hedge
            QueryResult result = cluster.run(recall(List.of("s1"), 1000, null));

            assertThat(result.coverage().isComplete()).isTrue();
            assertThat(result.partitions()).singleElement().satisfies(p -> {
                assertThat(p.node()).contains(NodeId.of("n2"));
                assertThat(p.hedged()).isTrue();
            });
            assertThat(cluster.metrics.count(QueryMetrics.HEDGES_SENT)).isEqualTo(1);
            assertThat(cluster.metrics.count(QueryMetrics.HEDGES_WON)).isEqualTo(1);
        }
    }

    @Test
    void hedgeBudgetStopsHedgingWhenSpent() throws Exception {
        Map<String, List<String>> layout = new LinkedHashMap<>();
        layout.put("s1", List.of("n1", "n2", "n3"));
        try (ExecutorFixture cluster = new ExecutorFixture(
                layout, config("[query.hedge]\nmode = \"fixed\"\ndelay_ms = 5\nbudget_ratio = 0.2\n"))) {
            // Every copy is slow, so every query wants a hedge whichever copy the replica selector tries first.
            for (String n : List.of("n1", "n2", "n3")) {
                cluster.faults.inject(NodeId.of(n), Fault.delay(Duration.ofMillis(40)));
            }

            for (int i = 0; i < 20; i++) {
                cluster.run(recall(List.of("s1"), 1000, null));
            }

            // 20 requests at 20% allow at most 4 hedges.
            long hedges = cluster.metrics.count(QueryMetrics.HEDGES_SENT);
            assertThat(hedges).isBetween(1L, 4L);
            long calls = cluster.faults.calls(NodeId.of("n1"))
                    + cluster.faults.calls(NodeId.of("n2"))
                    + cluster.faults.calls(NodeId.of("n3"));
            assertThat(calls).isEqualTo(20 + hedges);
        }
    }

    @Test
    void quorumFailsFastOnceAMajorityIsImpossible() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(ExecutorFixture.onePerNode(5), QueryConfig.defaults())) {
            for (String n : List.of("n1", "n2", "n3")) {
                cluster.faults.inject(NodeId.of(n), Fault.fail(TransportException.failed("down", false)));
            }
            cluster.faults.inject(NodeId.of("n4"), Fault.hang());

            // n4 hangs and the deadline is past the await's bound: only failing fast ends the run
            assertThatThrownBy(() -> cluster.run(
                            recall(List.of("s1", "s2", "s3", "s4", "s5"), LONGER_THAN_THE_AWAIT_MS, "quorum")))
                    .isInstanceOf(ConsistencyException.class)
                    .hasMessageContaining("consistency 'quorum' not met")
                    .hasMessageContaining("s1@n1 failed (down)")
                    .hasMessageContaining("s3@n3 failed (down)");
        }
    }

    @Test
    void quorumSucceedsWithThreeOfFive() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(ExecutorFixture.onePerNode(5), QueryConfig.defaults())) {
            cluster.faults.inject(NodeId.of("n1"), Fault.fail(TransportException.failed("down", false)));
            cluster.faults.inject(NodeId.of("n2"), Fault.fail(TransportException.failed("down", false)));

            QueryResult result = cluster.run(recall(List.of("s1", "s2", "s3", "s4", "s5"), 2000, "quorum"));

            assertThat(result.coverage().respondingPartitions()).isEqualTo(3);
            assertThat(result.confidence().value()).isCloseTo(0.9 * 0.6, within(1e-12));
            assertThat(result.consistency()).isEqualTo("quorum");
        }
    }

    @Test
    void allFailsOnTheFirstDefinitiveLossNamingIt() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(ExecutorFixture.onePerNode(3), QueryConfig.defaults())) {
            cluster.faults.inject(NodeId.of("n1"), Fault.hang());
            cluster.faults.inject(NodeId.of("n2"), Fault.hang());
            cluster.faults.inject(
                    NodeId.of("n3"), Fault.fail(TransportException.rejected("cue embedding must have 8 dimensions")));

            // n1 and n2 hang and the deadline is past the await's bound: only failing fast ends the run
            assertThatThrownBy(() -> cluster.run(recall(List.of("s1", "s2", "s3"), LONGER_THAN_THE_AWAIT_MS, "all")))
                    .isInstanceOf(ConsistencyException.class)
                    .hasMessageContaining("s3@n3 rejected (cue embedding must have 8 dimensions)");
        }
    }

    @Test
    void retryableFailuresAreRetriedOnTheSameNode() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(ExecutorFixture.onePerNode(1), QueryConfig.defaults())) {
            cluster.faults.inject(
                    NodeId.of("n1"), new Fault.FailTimes(2, TransportException.unreachable("connection refused")));

            QueryResult result = cluster.run(recall(List.of("s1"), 2000, null));

            assertThat(result.coverage().isComplete()).isTrue();
            assertThat(cluster.metrics.count(QueryMetrics.RETRIES)).isEqualTo(2);
            assertThat(cluster.faults.calls(NodeId.of("n1"))).isEqualTo(3);
        }
    }

    @Test
    void rejectedRequestsAreNeverRetried() throws Exception {
        Map<String, List<String>> layout = new LinkedHashMap<>();
        layout.put("s1", List.of("n1", "n2"));
        try (ExecutorFixture cluster = new ExecutorFixture(layout, QueryConfig.defaults())) {
            cluster.faults.inject(NodeId.of("n1"), Fault.fail(TransportException.rejected("bad cue")));

            QueryResult result = cluster.run(recall(List.of("s1"), 2000, null));

            assertThat(result.coverage().missing())
                    .singleElement()
                    .satisfies(m -> assertThat(m.reason()).isEqualTo(MissingReason.REJECTED));
            assertThat(cluster.faults.calls(NodeId.of("n1"))).isEqualTo(1);
            assertThat(cluster.faults.calls(NodeId.of("n2"))).isZero();
        }
    }

    @Test
    void retriesStopWhenTheDeadlineIsNear() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(
                ExecutorFixture.onePerNode(1),
                config("[query.retry]\nmax_attempts = 10\ninitial_backoff_ms = 40\nmax_backoff_ms = 80\n"))) {
            cluster.faults.inject(NodeId.of("n1"), Fault.fail(TransportException.unreachable("connection refused")));

            QueryResult result = cluster.run(recall(List.of("s1"), 100, null));

            assertThat(result.coverage().respondingPartitions()).isZero();
            // 100 ms leaves room for at most a couple of 40-80 ms backoffs, never the 9 retries allowed.
            assertThat(cluster.faults.calls(NodeId.of("n1"))).isBetween(1L, 3L);
        }
    }

    @Test
    void noMoreThanMaxFanoutCallsAreEverInFlight() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(
                ExecutorFixture.onePerNode(16), config("[query]\nmax_fanout = 4\n[query.hedge]\nmode = \"off\"\n"))) {
            for (int i = 1; i <= 16; i++) {
                cluster.faults.inject(NodeId.of("n" + i), Fault.delay(Duration.ofMillis(15)));
            }
            List<String> spaces = java.util.stream.IntStream.rangeClosed(1, 16)
                    .mapToObj(i -> "s" + i)
                    .toList();

            QueryResult result = cluster.run(recall(spaces, 3000, null));

            assertThat(result.coverage().isComplete()).isTrue();
            assertThat(cluster.faults.maxInFlight()).isEqualTo(4);
        }
    }

    @Test
    void queuedPartitionsStillCountAgainstTheDeadline() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(
                ExecutorFixture.onePerNode(4), config("[query]\nmax_fanout = 1\n[query.hedge]\nmode = \"off\"\n"))) {
            cluster.faults.inject(NodeId.of("n1"), Fault.hang());

            QueryResult result = cluster.run(recall(List.of("s1", "s2", "s3", "s4"), 200, null));

            assertThat(result.coverage().respondingPartitions()).isZero();
            assertThat(result.coverage().missing()).extracting(m -> m.reason()).containsOnly(MissingReason.TIMEOUT);
            assertThat(result.coverage().missing())
                    .filteredOn(m -> m.space().equals(MemorySpaceId.of("s4")))
                    .singleElement()
                    .satisfies(m -> assertThat(m.detail()).startsWith("still queued at the deadline"));
        }
    }

    @Test
    void hungNodeOpensItsBreakerSoLaterQueriesSkipIt() throws Exception {
        Map<String, List<String>> layout = new LinkedHashMap<>();
        layout.put("s1", List.of("n1", "n2"));
        try (ExecutorFixture cluster = new ExecutorFixture(
                layout,
                config("[query.circuit_breaker]\nfailure_threshold = 2\n[query.hedge]\nmode = \"off\"\n"
                        + "[query.detector]\nslow_call_ms = 50\n"))) {
            cluster.faults.inject(NodeId.of("n1"), Fault.hang());

            cluster.run(recall(List.of("s1"), 100, null));
            cluster.run(recall(List.of("s1"), 100, null));
            assertThat(cluster.callPolicy.state(NodeId.of("n1"))).isEqualTo("open");

            long callsWhileClosed = cluster.faults.calls(NodeId.of("n1"));
            QueryResult result = cluster.run(recall(List.of("s1"), 1000, null));

            assertThat(result.coverage().isComplete()).isTrue();
            assertThat(result.partitions())
                    .singleElement()
                    .satisfies(p -> assertThat(p.node()).contains(NodeId.of("n2")));
            assertThat(cluster.faults.calls(NodeId.of("n1")))
                    .as("an open breaker sends nothing to n1")
                    .isEqualTo(callsWhileClosed);
            assertThat(result.partitions())
                    .singleElement()
                    .satisfies(p -> assertThat(p.attempts()).isEqualTo(1));
        }
    }

    @Test
    void aCallersShortDeadlinesNeverMakeAFastNodeLookDown() throws Exception {
        Map<String, List<String>> layout = ExecutorFixture.onePerNode(3);
        try (ExecutorFixture cluster =
                new ExecutorFixture(layout, config("[query.circuit_breaker]\nfailure_threshold" + " = 2\n"))) {
            for (String node : List.of("n1", "n2", "n3")) {
                cluster.faults.inject(NodeId.of(node), Fault.delay(Duration.ofMillis(5)));
            }
            for (int i = 0; i < 100; i++) {
                QueryResult cut = cluster.run(recall(List.of("s1", "s2", "s3"), 1, null));
                assertThat(cut.coverage().isComplete()).isFalse();
            }

            for (int i = 0; i < 20; i++) {
                QueryResult normal = cluster.run(recall(List.of("s1", "s2", "s3"), 2000, null));
                assertThat(normal.coverage().isComplete())
                        .as("normal query %d", i)
                        .isTrue();
            }
            for (String node : List.of("n1", "n2", "n3")) {
                assertThat(cluster.callPolicy.state(NodeId.of(node))).isEqualTo("closed");
            }
            assertThat(cluster.metrics.count(QueryMetrics.labelled(QueryMetrics.CUT_SHORT, "blamed", "false")))
                    .isGreaterThanOrEqualTo(100);
            assertThat(cluster.metrics.count(QueryMetrics.labelled(QueryMetrics.CUT_SHORT, "blamed", "true")))
                    .isZero();
        }
    }

    @Test
    void aNodeMarkedDownHealsThroughATrialCallWithoutAProber() throws Exception {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        try (ExecutorFixture cluster = new ExecutorFixture(
                ExecutorFixture.onePerNode(2),
                config("[query.detector]\ntrial_backoff_ms = 1000\n[query.hedge]\nmode = \"off\"\n"),
                2,
                clock::get)) {
            NodeId n1 = NodeId.of("n1");
            cluster.faults.inject(n1, Fault.fail(TransportException.failed("n1 is broken", false)));
            cluster.run(recall(List.of("s1", "s2"), 2000, null));
            cluster.run(recall(List.of("s1", "s2"), 2000, null));
            assertThat(cluster.detector.isReachable(n1)).isFalse();
            cluster.faults.heal();
            long callsWhileDown = cluster.faults.calls(n1);

            QueryResult skipped = cluster.run(recall(List.of("s1", "s2"), 2000, null));
            assertThat(skipped.coverage().missing())
                    .singleElement()
                    .satisfies(m -> assertThat(m.reason()).isEqualTo(MissingReason.UNREACHABLE));
            assertThat(cluster.faults.calls(n1)).isEqualTo(callsWhileDown);

            clock.addAndGet(Duration.ofSeconds(1).toNanos());
            QueryResult trial = cluster.run(recall(List.of("s1", "s2"), 2000, null));

            assertThat(trial.coverage().isComplete())
                    .as("the trial call answered")
                    .isTrue();
            assertThat(cluster.detector.isReachable(n1)).isTrue();
            assertThat(cluster.run(recall(List.of("s1", "s2"), 2000, null))
                            .coverage()
                            .isComplete())
                    .isTrue();
        }
    }

    @Test
    void cancellingTheQueryCancelsItsCallsAndCountsIt() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(ExecutorFixture.onePerNode(2), QueryConfig.defaults())) {
            cluster.faults.inject(NodeId.of("n1"), Fault.hang());
            cluster.faults.inject(NodeId.of("n2"), Fault.hang());
            var answer = cluster.service.execute(recall(List.of("s1", "s2"), 30_000, null));
            assertThat(cluster.metrics.inFlight()).isEqualTo(1);

            answer.cancel(true);

            assertThat(cluster.metrics.count(QueryMetrics.CANCELLED)).isEqualTo(1);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> cluster.metrics.inFlight() == 0 && cluster.faults.inFlight() == 0);
            assertThat(cluster.callPolicy.state(NodeId.of("n1"))).isEqualTo("closed");
        }
    }

    @Test
    void aQueryThatCouldGatherTooManyMatchesIsRejectedBeforeItIsSent() {
        try (ExecutorFixture cluster =
                new ExecutorFixture(ExecutorFixture.onePerNode(3), config("[query]\nmax_result_matches = 20\n"))) {
            assertThatThrownBy(() -> cluster.run(recall(List.of("s1", "s2", "s3"), 2000, null)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("limit 10 over 3 partitions could gather 30 matches, more than this node allows for one"
                            + " query (query.max_result_matches 20); lower the limit or name fewer spaces");
            assertThat(cluster.metrics.count(QueryMetrics.PARTITION_REQUESTS)).isZero();
        }
    }

    @Test
    void aTimeoutAboveTheNodesMaximumIsRejected() {
        try (ExecutorFixture cluster =
                new ExecutorFixture(ExecutorFixture.onePerNode(1), config("[query]\nmax_timeout_ms = 5000\n"))) {
            assertThatThrownBy(() -> cluster.run(recall(List.of("s1"), 6000, null)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("timeout_ms must be at most 5000 on this node (query.max_timeout_ms), got 6000");
        }
    }

    @Test
    void aPartitionLostOnEveryCopyNamesEachCopyAndWhyInAStableOrder() throws Exception {
        Map<String, List<String>> layout = new LinkedHashMap<>();
        layout.put("s1", List.of("n2", "n1"));
        try (ExecutorFixture cluster = new ExecutorFixture(layout, config("[query.hedge]\nmode = \"off\"\n"))) {
            cluster.faults.inject(NodeId.of("n1"), Fault.fail(TransportException.failed("n1 broke", false)));
            cluster.faults.inject(NodeId.of("n2"), Fault.fail(TransportException.unreachable("n2 refused")));

            QueryResult result = cluster.run(recall(List.of("s1"), 2000, null));

            assertThat(result.coverage().missing())
                    .singleElement()
                    .satisfies(m -> assertThat(m.detail())
                            .isEqualTo("every copy failed: n1 failed: n1 broke; n2 unreachable: n2 refused"));
        }
    }

    @Test
    void anUnknownSpaceIsRejectedInEveryFieldThatNamesIt() throws Exception {
        try (ExecutorFixture cluster = new ExecutorFixture(ExecutorFixture.onePerNode(1), QueryConfig.defaults())) {
            QueryResult result = cluster.run(recall(List.of("s1", "nope"), 2000, null));

            assertThat(result.coverage().missing())
                    .singleElement()
                    .satisfies(m -> assertThat(m.reason()).isEqualTo(MissingReason.REJECTED));
            assertThat(result.partitions())
                    .filteredOn(p -> p.space().equals(MemorySpaceId.of("nope")))
                    .singleElement()
                    .satisfies(p -> assertThat(p.status()).isEqualTo(PartitionStatus.REJECTED));
        }
    }

    @Test
    void unknownMergePolicyFailsListingTheKnownOnes() {
        try (ExecutorFixture cluster = new ExecutorFixture(ExecutorFixture.onePerNode(1), QueryConfig.defaults())) {
            RecallQuery query = new RecallQuery(
                    List.of(MemorySpaceId.of("s1")),
                    Cue.of("x"),
                    Confidence.NONE,
                    QueryOptions.limit(5).withMergePolicy("maximum"));
            assertThatThrownBy(() -> cluster.run(query))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("unknown merge policy 'maximum'; known: max, noisy-or");
        }
    }
}
