package io.engram.query.transport.http.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.transport.http.reliability.FakePeer.Answer;
import io.engram.query.transport.http.reliability.FaultProxy.Mode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * n1 coordinates and holds s1; n2 holds s2 and is reached by n1 only through a {@link FaultProxy}; s3 belongs to "n3",
 * a {@link FakePeer} that answers with hostile data. Each fault must give the specified partial answer in time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyFaultIT {
    private static final int TIMEOUT_MS = 800;
    private static final long MARGIN_MS = 200;
    private static final String VIA_PROXY = ClusterHarness.recall(TIMEOUT_MS, "s1", "s2");
    private static final String VIA_FAKE = ClusterHarness.recall(TIMEOUT_MS, "s1", "s3");

    private FaultProxy proxy;
    private FakePeer fake;
    private ClusterHarness cluster;

    @BeforeAll
    void start() throws Exception {
        fake = new FakePeer("s3");
        ClusterHarness.Builder builder = ClusterHarness.builder(Path.of("target/reliability/proxy"))
                .nodes("n1", "n2")
                .external("n3", fake.url())
                .space("n1")
                .space("n2")
                .space("n3")
                // probes every second: the first query after a fault meets the fault itself, not a verdict of a probe
                .set("cluster.probe_interval_ms", "1000")
                .set("transport.http.max_response_bytes", "65536");
        // n1's configuration needs the proxy's address, the proxy needs n2's port: it learns it once n2 runs
        proxy = new FaultProxy(0);
        cluster = builder.routeThroughProxy("n1", "n2", proxy).start();
        proxy.upstream(cluster.peerPort("n2"));
        awaitFull(VIA_PROXY);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (proxy != null) {
                proxy.close();
            }
            if (fake != null) {
                fake.close();
            }
        }
    }

    @Test
    void everyNetworkFaultGivesThePartialAnswerInTime() throws Exception {
        record Case(Mode mode, long delayMs, Set<String> firstReasons, boolean full) {}
        List<Case> cases = List.of(
                new Case(Mode.DELAY, 200, Set.of(), true),
                new Case(Mode.DELAY, 2000, Set.of("timeout"), false),
                new Case(Mode.DROP, 0, Set.of("unreachable", "failed"), false),
                new Case(Mode.BLACK_HOLE, 0, Set.of("timeout"), false),
                new Case(Mode.RESET, 0, Set.of("unreachable", "failed"), false),
                new Case(Mode.TRICKLE, 50, Set.of("timeout"), false));
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            proxy.mode(c.mode(), c.delayMs());
            QueryStats stats = new QueryStats(TIMEOUT_MS);
            List<QueryOutcome> outcomes = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                QueryOutcome o = cluster.query("n1", VIA_PROXY);
                outcomes.add(o);
                stats.add(o);
            }
            QueryOutcome first = outcomes.get(0);
            proxy.mode(Mode.PASS, 0);
            long recoveredMs = awaitFull(VIA_PROXY);
            String name = c.mode() + (c.delayMs() > 0 ? " " + c.delayMs() + " ms" : "");
            Map<String, Object> figures = stats.figures();
            figures.put("full_coverage_after_pass_ms", recoveredMs);
            ReliabilityResults.record(
                    "proxy: " + name,
                    "TCP proxy between n1 and n2: " + describe(c.mode(), c.delayMs()),
                    (c.full()
                                    ? "full coverage, " + first.wallMs() + " ms"
                                    : "s2 " + first.missing().get("s2") + " after " + first.wallMs()
                                            + " ms (first query), then " + stats.missingReasons())
                            + "; s1 always answered; full coverage " + recoveredMs + " ms after the proxy passed again",
                    figures);
            check(failures, name + ": failures", stats.failures() == 0, stats.firstFailure());
            check(failures, name + ": late", stats.worstLatenessMs() <= MARGIN_MS, stats.figures());
            for (QueryOutcome o : outcomes) {
                check(failures, name + ": s1 lost", !o.missing().containsKey("s1"), o.body());
                if (c.full()) {
                    check(failures, name + ": not full", o.fullCoverage(), o.body());
                } else {
                    check(failures, name + ": s2 not missing", o.missing().containsKey("s2"), o.body());
                    check(
                            failures,
                            name + ": confidence not penalised",
                            Math.abs(o.confidence() - o.baseConfidence() / 2) < 1e-9,
                            o.body());
                }
            }
            if (!c.full()) {
                check(
                        failures,
                        name + ": first reason",
                        c.firstReasons().contains(first.missing().get("s2")),
                        first.missing());
            }
            check(failures, name + ": no recovery", recoveredMs <= 5000, recoveredMs);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void hostilePeerDataFailsItsPartitionOrLosesItsForeignMatches() throws Exception {
        Map<Answer, String> expected = new LinkedHashMap<>();
        expected.put(Answer.MALFORMED, "failed");
        expected.put(Answer.OVERSIZED, "failed");
        expected.put(Answer.FOREIGN_SPACE, "failed");
        expected.put(Answer.WRONG_TYPES, "failed");
        expected.put(Answer.WRONG_CONTENT_TYPE, "failed");
        expected.put(Answer.FOREIGN_MATCHES, "");
        List<String> failures = new ArrayList<>();
        for (Map.Entry<Answer, String> e : expected.entrySet()) {
            fake.answer(e.getKey());
            QueryStats stats = new QueryStats(TIMEOUT_MS);
            QueryOutcome first = null;
            for (int i = 0; i < 5; i++) {
                // between answers the breaker of n3 may open: wait it out so each case meets the fake's answer
                QueryOutcome o = cluster.query("n1", VIA_FAKE);
                first = first == null ? o : first;
                stats.add(o);
                check(failures, e.getKey() + ": status", o.ok(), o.body());
                check(failures, e.getKey() + ": s1 lost", !o.missing().containsKey("s1"), o.body());
                check(failures, e.getKey() + ": evil match", !o.body().contains(FakePeer.EVIL_ID), o.body());
            }
            if (e.getValue().isEmpty()) {
                check(failures, e.getKey() + ": not full", first.fullCoverage(), first.body());
            } else {
                check(
                        failures,
                        e.getKey() + ": reason",
                        e.getValue().equals(first.missing().get("s3")),
                        first.body());
            }
            check(failures, e.getKey() + ": late", stats.worstLatenessMs() <= MARGIN_MS, stats.figures());
            ReliabilityResults.record(
                    "hostile peer: " + e.getKey().name().toLowerCase().replace('_', ' '),
                    "a fake n3 answers s3's partition requests " + describeAnswer(e.getKey()),
                    e.getValue().isEmpty()
                            ? "s3 counted as answered, its foreign match dropped"
                            : "s3 " + first.missing().get("s3") + "; s1 answered; coordinator unharmed",
                    stats.figures());
            fake.answer(Answer.FOREIGN_MATCHES);
            Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> cluster.query("n1", VIA_FAKE).fullCoverage());
        }
        assertThat(cluster.health("n1").path("node_id").asText()).isEqualTo("n1");
        assertThat(failures).isEmpty();
    }

    private long awaitFull(String body) {
        long start = System.nanoTime();
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> cluster.query("n1", body).fullCoverage());
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static void check(List<String> failures, String what, boolean ok, Object detail) {
        if (!ok) {
            failures.add(what + ": " + detail);
        }
    }

    private static String describe(Mode mode, long delayMs) {
        return switch (mode) {
            case PASS -> "forwards";
            case DELAY -> "holds each request " + delayMs + " ms";
            case DROP -> "accepts and closes at once";
            case BLACK_HOLE -> "accepts and never forwards or answers";
            case RESET -> "reads the request and resets the connection (SO_LINGER 0)";
            case TRICKLE -> "forwards the answer one byte per " + delayMs + " ms";
        };
    }

    private static String describeAnswer(Answer answer) {
        return switch (answer) {
            case MALFORMED -> "with truncated JSON";
            case OVERSIZED -> "with 280 KB (limit transport.http.max_response_bytes 64 KiB)";
            case FOREIGN_SPACE -> "with a result for s1";
            case FOREIGN_MATCHES -> "for s3 but holding a match of s1 (confidence 0.999)";
            case WRONG_TYPES -> "with matches as a string, confidence_adjustment 1e400, latency -5";
            case WRONG_CONTENT_TYPE -> "with 200 text/html";
        };
    }
}
