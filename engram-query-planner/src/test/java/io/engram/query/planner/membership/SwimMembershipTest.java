package io.engram.query.planner.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.NodeId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SwimMembershipTest {
    private static final MembershipConfig CONFIG = MembershipConfig.defaults();
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");

    @Test
    void aHealthyClusterSendsOneProbePerNodePerPeriodAndSuspectsNoOne() {
        SwimCluster cluster = new SwimCluster(8, CONFIG, 1);

        cluster.run(100);

        assertThat(cluster.allAlive()).isTrue();
        assertThat(cluster.requestsSent()).isEqualTo(8 * 100);
        cluster.nodes.values().forEach(n -> assertThat(n.requestsReceived()).isBetween(60L, 140L));
    }

    @Test
    void messagesPerNodeDoNotGrowWithTheClusterSize() {
        for (int size : List.of(4, 32, 256)) {
            SwimCluster cluster = new SwimCluster(size, CONFIG, 2);
            cluster.run(20);
            assertThat(cluster.requestsSent()).as("%d nodes", size).isEqualTo(size * 20L);
        }
    }

    @Test
    void everyPeerDeclaresAKilledNodeDeadWithinTheExpectedDetectionTime() {
        for (long seed = 1; seed <= 20; seed++) {
            SwimCluster cluster = new SwimCluster(8, CONFIG, seed);
            cluster.run(10);
            NodeId victim = cluster.ids.get((int) (seed % 8));
            cluster.down.add(victim);

            Duration took = cluster.runUntil(() -> cluster.everyoneReportsDead(victim), 100);

            assertThat(cluster.everyoneReportsDead(victim)).as("seed %d", seed).isTrue();
            assertThat(took).as("seed %d", seed).isLessThanOrEqualTo(CONFIG.expectedDetection());
        }
    }

    @Test
    void aPauseShorterThanTheSuspicionTimeoutEvictsNoOne() {
        MembershipConfig patient =
                MembershipConfig.of(Duration.ofMillis(500), Duration.ofMillis(200), 3, Duration.ofMillis(4000));
        for (long seed = 1; seed <= 20; seed++) {
            SwimCluster cluster = new SwimCluster(8, patient, seed);
            cluster.run(10);
            NodeId paused = cluster.ids.get((int) (seed % 8));
            cluster.frozen.add(paused);
            cluster.run(4); // 2 s
            cluster.frozen.remove(paused);

            cluster.run(20);

            assertThat(cluster.everDeclaredDead(paused)).as("seed %d", seed).isFalse();
            assertThat(cluster.allAlive()).as("seed %d", seed).isTrue();
        }
    }

    @Test
    void aLostProbeIsCoveredByTheIndirectOnesAndRaisesNoSuspicion() {
        SwimCluster cluster = new SwimCluster(4, CONFIG, 3);
        for (NodeId from : cluster.ids) {
            for (NodeId to : cluster.ids) {
                cluster.lost.put(List.of(from, to), 1);
            }
        }

        cluster.run(8);

        assertThat(cluster.allAlive()).isTrue();
    }

    @Test
    void aNodeDeclaredDeadThatRestartsIsAliveEverywhereAgain() {
        SwimCluster cluster = new SwimCluster(6, CONFIG, 4);
        cluster.run(5);
        cluster.down.add(N3);
        cluster.runUntil(() -> cluster.everyoneReportsDead(N3), 100);

        cluster.start(N3);
        Duration took = cluster.runUntil(cluster::allAlive, 100);

        assertThat(cluster.allAlive()).isTrue();
        assertThat(cluster.anyoneReportsDead(N3)).isFalse();
        assertThat(took).isLessThanOrEqualTo(CONFIG.interval().multipliedBy(6));
        assertThat(cluster.nodes.get(N3).incarnation()).isPositive();
    }

    @Test
    void aSuspectedNodeRefutesWithAHigherIncarnation() {
        SwimMembership n1 = alone(N1);
        Ack ack = n1.onPing(new Ping(N2, 0, List.of(new Gossip(N1, MemberState.SUSPECT, 0))));

        assertThat(ack.incarnation()).isEqualTo(1);
        assertThat(n1.incarnation()).isEqualTo(1);
    }

    @Test
    void oldNewsAndNewsOfUnknownNodesChangeNothing() {
        SwimMembership n1 = alone(N1);
        n1.onPing(new Ping(N2, 0, List.of(new Gossip(N3, MemberState.ALIVE, 5))));
        n1.onPing(new Ping(N2, 0, List.of(new Gossip(N3, MemberState.SUSPECT, 4))));
        n1.onPing(new Ping(N2, 0, List.of(new Gossip(NodeId.of("stranger"), MemberState.DEAD, 9))));

        assertThat(n1.stateOf(N3)).isEqualTo(MemberState.ALIVE);
        assertThat(n1.view()).containsOnlyKeys(N2, N3);
        assertThat(n1.view().get(N3).incarnation()).isEqualTo(5);
    }

    @Test
    void aPeerThatJustAnsweredAQueryIsNotProbed() {
        SwimCluster cluster = new SwimCluster(3, CONFIG, 5);
        cluster.answeredRecently.get(N1).addAll(List.of(N2, N3));

        cluster.run(10);

        assertThat(cluster.nodes.get(N1).requestsSent()).isZero();
        assertThat(cluster.nodes.get(N1).probesSkipped()).isEqualTo(20);
        assertThat(cluster.nodes.get(N2).requestsSent()).isEqualTo(10);
    }

    @Test
    void theConfigurationRefusesValuesOutOfRangeSayingWhatIsAllowed() {
        assertThatThrownBy(() ->
                        MembershipConfig.of(Duration.ofMillis(500), Duration.ofMillis(500), 3, Duration.ofSeconds(2)))
                .hasMessage("probe timeout must be positive and less than the interval (500 ms), got 500 ms");
        assertThatThrownBy(() ->
                        MembershipConfig.of(Duration.ofMillis(500), Duration.ofMillis(200), 17, Duration.ofSeconds(2)))
                .hasMessage("indirect probes must be in [0, 16], got 17");
        assertThatThrownBy(() -> MembershipConfig.of(Duration.ZERO, Duration.ofMillis(200), 3, Duration.ofSeconds(2)))
                .hasMessage("interval must be positive, got PT0S");
    }

    private static SwimMembership alone(NodeId self) {
        MembershipNetwork none = new MembershipNetwork() {
            @Override
            public java.util.concurrent.CompletableFuture<Ack> ping(NodeId target, Ping ping, Duration timeout) {
                return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("no network"));
            }

            @Override
            public java.util.concurrent.CompletableFuture<Ack> pingRequest(
                    NodeId via, PingRequest request, Duration timeout) {
                return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("no network"));
            }
        };
        return new SwimMembership(
                List.of(N1, N2, N3),
                self,
                CONFIG,
                none,
                MembershipListener.NONE,
                TrafficEvidence.NONE,
                () -> 0L,
                new java.util.Random(1));
    }
}
