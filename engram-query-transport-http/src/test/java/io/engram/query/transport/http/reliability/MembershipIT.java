package io.engram.query.transport.http.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Four idle node processes following each other's health with SWIM: a node killed with {@code kill -9} is reported
 * unreachable by every peer within the configured detection time, and a node paused with SIGSTOP for less than the
 * suspicion timeout is never reported down.
 */
class MembershipIT {
    /** The default period and suspicion: detection within 3 periods + the suspicion = 5 s. */
    private static final long DETECTION_MS = 3 * 1000 + 2000;
    /** What a busy 2-core machine may add to it: the processes' own scheduling, the harness's health reads. */
    private static final long LATENESS_MS = 1000;

    @Test
    void aKilledNodeIsReportedUnreachableByEveryPeerWithinTheDetectionTime() throws Exception {
        try (ClusterHarness cluster = fourNodes("kill", "2000")) {
            awaitAllAlive(cluster, List.of("n1", "n2", "n3", "n4"));

            cluster.kill("n4");
            long killedAt = System.nanoTime();
            Map<String, Long> reportedMs = new LinkedHashMap<>();
            while (reportedMs.size() < 3 && System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(20)) {
                for (String node : List.of("n1", "n2", "n3")) {
                    if (!reportedMs.containsKey(node)
                            && !peer(cluster.health(node), "n4")
                                    .path("reachable")
                                    .asBoolean(true)) {
                        reportedMs.put(node, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
                    }
                }
                Thread.sleep(50);
            }
            long worst = reportedMs.values().stream()
                    .mapToLong(Long::longValue)
                    .max()
                    .orElse(-1);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("reported_unreachable_after_ms", reportedMs);
            figures.put("detection_time_ms", DETECTION_MS);
            ReliabilityResults.record(
                    "membership: kill -9",
                    "4 idle nodes, default SWIM settings (period 1 s, probe timeout 300 ms, suspicion 2 s); kill -9 of n4",
                    "every peer reported n4 unreachable after " + reportedMs + " ms (detection time " + DETECTION_MS
                            + " ms)",
                    figures);

            assertThat(reportedMs)
                    .as("peers that reported n4 unreachable, ms after the kill")
                    .hasSize(3);
            assertThat(worst)
                    .as("the last peer to report it, ms after the kill")
                    .isLessThanOrEqualTo(DETECTION_MS + LATENESS_MS);
            for (String node : List.of("n1", "n2", "n3")) {
                assertThat(peer(cluster.health(node), "n4").path("membership").asText())
                        .isEqualTo("dead");
            }
        }
    }

    @Test
    void aNodePausedForLessThanTheSuspicionTimeoutIsNeverReportedDown() throws Exception {
        try (ClusterHarness cluster = fourNodes("pause", "4000")) {
            awaitAllAlive(cluster, List.of("n1", "n2", "n3", "n4"));

            cluster.freeze("n4");
            long frozenAt = System.nanoTime();
            List<String> downReports = new ArrayList<>();
            List<String> suspected = new ArrayList<>();
            try {
                while (System.nanoTime() - frozenAt < TimeUnit.SECONDS.toNanos(2)) {
                    watch(cluster, downReports, suspected);
                    Thread.sleep(50);
                }
            } finally {
                cluster.thaw("n4");
            }
            long thawedAt = System.nanoTime();
            // the suspicion must be refuted before it runs out
            while (System.nanoTime() - thawedAt < TimeUnit.SECONDS.toNanos(5)) {
                watch(cluster, downReports, suspected);
                Thread.sleep(50);
            }
            long incarnation =
                    cluster.health("n4").at("/membership/incarnation").asLong();
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("suspected_by", suspected);
            figures.put("reported_down_by", downReports);
            figures.put("incarnation_after", incarnation);
            ReliabilityResults.record(
                    "membership: SIGSTOP 2 s",
                    "4 idle nodes, suspicion timeout 4 s; n4 stopped for 2 s, then watched for 5 s",
                    "suspected by " + suspected + ", reported down by " + downReports + "; n4's incarnation now "
                            + incarnation,
                    figures);

            assertThat(downReports)
                    .as("peers that reported the paused node down")
                    .isEmpty();
            for (String node : List.of("n1", "n2", "n3")) {
                assertThat(peer(cluster.health(node), "n4").path("membership").asText())
                        .isEqualTo("alive");
            }
        }
    }

    private static ClusterHarness fourNodes(String name, String suspicionMs) throws Exception {
        return ClusterHarness.builder(Path.of("target/reliability/membership-" + name))
                .nodes("n1", "n2", "n3", "n4")
                .space("n1")
                .space("n2")
                .space("n3")
                .space("n4")
                .set("cluster.probe_interval_ms", "1000")
                .set("cluster.probe_timeout_ms", "300")
                .set("cluster.suspicion_timeout_ms", suspicionMs)
                .start();
    }

    private static void watch(ClusterHarness cluster, List<String> downReports, List<String> suspected)
            throws Exception {
        for (String node : List.of("n1", "n2", "n3")) {
            JsonNode n4 = peer(cluster.health(node), "n4");
            if (!n4.path("reachable").asBoolean(true) && !downReports.contains(node)) {
                downReports.add(node);
            }
            if (n4.path("membership").asText().equals("suspect") && !suspected.contains(node)) {
                suspected.add(node);
            }
        }
    }

    private static void awaitAllAlive(ClusterHarness cluster, List<String> nodes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (String node : nodes) {
                JsonNode h = cluster.health(node);
                for (JsonNode peer : h.path("peers")) {
                    all &= peer.path("membership").asText().equals("alive")
                            && peer.path("reachable").asBoolean();
                }
                all &= h.at("/membership/requests_received").asLong() > 0;
            }
            if (all) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the cluster did not see every node alive within 20 s");
    }

    private static JsonNode peer(JsonNode health, String id) {
        for (JsonNode peer : health.path("peers")) {
            if (peer.path("node").asText().equals(id)) {
                return peer;
            }
        }
        throw new AssertionError("no peer " + id + " in " + health);
    }
}
