package io.engram.query.transport.http.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three node processes; n1 coordinates. s1..s3 have two copies (rf 2), s4 lives only on n3 and s5 only on n2 (rf 1).
 * A node is frozen (SIGSTOP/SIGCONT), killed (kill -9) under a continuous query loop, and restarted on its port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeFailureIT {
    private static final int TIMEOUT_MS = 800;
    private static final long MARGIN_MS = 200;
    private static final String ALL = ClusterHarness.recall(TIMEOUT_MS);
    private static final String REPLICATED = ClusterHarness.recall(TIMEOUT_MS, "s1", "s2", "s3");

    private ClusterHarness cluster;

    @BeforeAll
    void start() throws Exception {
        cluster = ClusterHarness.builder(Path.of("target/reliability/node-failure"))
                .nodes("n1", "n2", "n3")
                .space("n1", "n2")
                .space("n2", "n3")
                .space("n3", "n2")
                .space("n3")
                .space("n2")
                .start();
        // Warm: the coordinator's hedge budget is a share of the requests of the last window, and its adaptive hedge
        // delays need samples; the first queries of a cold node would otherwise meet the frozen node with neither.
        for (int i = 0; i < 20; i++) {
            cluster.query("n1", ALL);
        }
        assertThat(cluster.query("n1", ALL).fullCoverage()).isTrue();
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void frozenNodeTimesOutAtTheDeadlineThenItsBreakerAnswersFastAndCoverageReturnsAfterThaw() throws Exception {
        cluster.freeze("n2");
        long frozenAt = System.nanoTime();
        List<QueryLoop.Entry> during;
        try (QueryLoop loop = new QueryLoop(cluster, "n1", i -> new String[] {"all", ALL})) {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> loop.size() >= 4 && System.nanoTime() - frozenAt > TimeUnit.SECONDS.toNanos(3));
            during = loop.stop();
        }
        long thawedAt = System.nanoTime();
        cluster.thaw("n2");
        long fullAfterMs = awaitFullCoverage(ALL, Duration.ofSeconds(5));

        QueryStats stats = new QueryStats(TIMEOUT_MS);
        during.forEach(e -> stats.add(e.outcome()));
        List<QueryOutcome> outcomes =
                during.stream().map(QueryLoop.Entry::outcome).toList();
        QueryOutcome first = outcomes.get(0);
        List<QueryOutcome> lastSecond = during.stream()
                .filter(e -> thawedAt - e.startNanos() < TimeUnit.SECONDS.toNanos(1))
                .map(QueryLoop.Entry::outcome)
                .toList();
        long lastSecondMaxWall =
                lastSecond.stream().mapToLong(QueryOutcome::wallMs).max().orElse(-1);
        ReliabilityResults.record(
                "frozen node",
                "kill -STOP n2 for 3 s under a query loop, then kill -CONT (breaker reset 1000 ms)",
                "first query: s5 " + first.missing().get("s5") + " at " + first.wallMs() + " ms; last second: "
                        + lastSecond.size() + " queries, slowest " + lastSecondMaxWall + " ms; full coverage "
                        + fullAfterMs + " ms after SIGCONT",
                withFigures(stats, Map.of("full_coverage_after_thaw_ms", fullAfterMs)));

        assertThat(stats.failures()).as(stats.firstFailure()).isZero();
        assertThat(stats.worstLatenessMs()).isLessThanOrEqualTo(MARGIN_MS);
        assertThat(first.missing()).containsEntry("s5", "timeout");
        assertThat(first.wallMs()).isGreaterThanOrEqualTo(TIMEOUT_MS - 50);
        for (QueryOutcome o : outcomes) {
            // s2 and s3 have a copy on n3: the frozen n2 never costs them
            assertThat(o.missing()).containsOnlyKeys("s5");
        }
        assertThat(lastSecond).isNotEmpty();
        for (QueryOutcome o : lastSecond) {
            assertThat(o.missing()).containsEntry("s5", "unreachable");
            assertThat(o.wallMs()).isLessThan(TIMEOUT_MS / 2);
        }
        assertThat(fullAfterMs).isLessThanOrEqualTo(3000);
    }

    @Test
    @Order(2)
    void killedNodeCostsNothingWithTwoCopiesAndItsOwnSpaceWithOne() throws Exception {
        List<QueryLoop.Entry> entries;
        long killedAt;
        try (QueryLoop loop = new QueryLoop(
                cluster, "n1", i -> i % 2 == 0 ? new String[] {"rf2", REPLICATED} : new String[] {"all", ALL})) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> loop.size() >= 10);
            killedAt = System.nanoTime();
            cluster.kill("n3");
            int atKill = loop.size();
            Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() ->
                            loop.size() >= atKill + 40 && System.nanoTime() - killedAt > TimeUnit.SECONDS.toNanos(3));
            entries = loop.stop();
        }
        QueryStats stats = new QueryStats(TIMEOUT_MS);
        entries.forEach(e -> stats.add(e.outcome()));
        List<QueryOutcome> rf2 = entries.stream()
                .filter(e -> e.label().equals("rf2"))
                .map(QueryLoop.Entry::outcome)
                .toList();
        List<QueryOutcome> allAfter = entries.stream()
                .filter(e -> e.label().equals("all") && e.startNanos() > killedAt + TimeUnit.SECONDS.toNanos(1))
                .map(QueryLoop.Entry::outcome)
                .toList();
        long rf2Full = rf2.stream().filter(QueryOutcome::fullCoverage).count();
        QueryOutcome sample = allAfter.get(allAfter.size() - 1);
        ReliabilityResults.record(
                "kill -9 under load",
                "kill -9 n3 while n1 answers a query loop (rf 2 spaces s1-s3, rf 1 space s4 on n3)",
                "rf 2: " + rf2Full + " of " + rf2.size() + " queries full coverage; rf 1: s4 "
                        + sample.missing().get("s4") + ", coverage " + sample.responding() + "/" + sample.expected()
                        + ", confidence " + round(sample.confidence()) + " = base " + round(sample.baseConfidence())
                        + " x " + sample.responding() + "/" + sample.expected(),
                withFigures(stats, Map.of("rf2_queries", rf2.size(), "rf2_full_coverage", rf2Full)));

        assertThat(stats.failures()).as(stats.firstFailure()).isZero();
        assertThat(stats.worstLatenessMs()).isLessThanOrEqualTo(MARGIN_MS);
        assertThat(rf2Full).isEqualTo(rf2.size());
        assertThat(allAfter).isNotEmpty();
        for (QueryOutcome o : allAfter) {
            assertThat(o.missing()).containsOnlyKeys("s4");
            assertThat(o.responding()).isEqualTo(4);
            assertThat(o.confidence()).isCloseTo(o.baseConfidence() * 4 / 5, within(1e-9));
            assertThat(o.wallMs()).isLessThan(TIMEOUT_MS);
        }
    }

    @Test
    @Order(3)
    void restartedNodeIsUsedAgainWithoutAManualStep() throws Exception {
        long start = System.nanoTime();
        cluster.restart("n3");
        long healthyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long fullAfterMs = awaitFullCoverage(ALL, Duration.ofSeconds(10));
        QueryStats stats = new QueryStats(TIMEOUT_MS);
        for (int i = 0; i < 20; i++) {
            stats.add(cluster.query("n1", ALL));
        }
        ReliabilityResults.record(
                "node restarted",
                "n3 (killed before) started again on its port",
                "healthy after " + healthyMs + " ms; n1 answered with full coverage " + fullAfterMs
                        + " ms later, no manual step; then " + stats.fullCoverage() + " of " + stats.queries()
                        + " queries full",
                withFigures(
                        stats, Map.of("process_start_ms", healthyMs, "full_coverage_after_healthy_ms", fullAfterMs)));
        assertThat(fullAfterMs).isLessThanOrEqualTo(5000);
        assertThat(stats.fullCoverage()).isEqualTo(stats.queries());
    }

    /** Queries until one has full coverage; returns how long that took. */
    private long awaitFullCoverage(String body, Duration bound) throws Exception {
        long start = System.nanoTime();
        QueryOutcome[] last = new QueryOutcome[1];
        try {
            Awaitility.await()
                    .atMost(bound)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> (last[0] = cluster.query("n1", body)).fullCoverage());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "no full coverage within " + bound + "; last answer " + last[0].body() + "; health of n1 "
                            + cluster.health("n1"),
                    e);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    static Map<String, Object> withFigures(QueryStats stats, Map<String, Object> extra) {
        Map<String, Object> figures = stats.figures();
        figures.putAll(extra);
        return figures;
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
