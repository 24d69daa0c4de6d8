package io.engram.query.planner.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.spi.ClusterState;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ObservedPartitionDetectorTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");

    private final AtomicLong now = new AtomicLong();
    private final Set<NodeId> openBreakers = new HashSet<>();
    private final ObservedPartitionDetector detector = new ObservedPartitionDetector(
            List.of(N1, N2, N3), N1, 3, openBreakers::contains, now::get, Duration.ofSeconds(10));

    @Test
    void startsConnected() {
        assertThat(detector.state()).isEqualTo(ClusterState.CONNECTED);
        assertThat(detector.isReachable(N2)).isTrue();
    }

    @Test
    void nodeBecomesUnreachableAfterThresholdConsecutiveFailures() {
        detector.recordFailure(N2, MissingReason.TIMEOUT);
        detector.recordFailure(N2, MissingReason.FAILED);
        assertThat(detector.isReachable(N2)).isTrue();
        assertThat(detector.state()).isEqualTo(ClusterState.CONNECTED);

        detector.recordFailure(N2, MissingReason.UNREACHABLE);

        assertThat(detector.isReachable(N2)).isFalse();
        assertThat(detector.state()).isEqualTo(ClusterState.PARTITIONED);
    }

    @Test
    void successBreaksTheFailureStreak() {
        detector.recordFailure(N2, MissingReason.TIMEOUT);
        detector.recordFailure(N2, MissingReason.TIMEOUT);
        detector.recordSuccess(N2, Duration.ofMillis(3));
        detector.recordFailure(N2, MissingReason.TIMEOUT);
        detector.recordFailure(N2, MissingReason.TIMEOUT);

        assertThat(detector.isReachable(N2)).isTrue();
    }

    @Test
    void rejectedCallsDoNotCountAsFailures() {
        for (int i = 0; i < 5; i++) {
            detector.recordFailure(N2, MissingReason.REJECTED);
        }

        assertThat(detector.isReachable(N2)).isTrue();
    }

    @Test
    void aDeathDeclaredByTheMembershipProtocolIsUnreachableAtOnceAndItsLifeReachableAgain() {
        detector.recordSuccess(N2, Duration.ofMillis(1));

        detector.recordMembership(N2, false);

        assertThat(detector.isReachable(N2)).isFalse();
        assertThat(detector.state()).isEqualTo(ClusterState.PARTITIONED);
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        assertThat(detector.tryAdmitTrial(N2))
                .as("no blind trial of a node the protocol holds dead")
                .isFalse();

        detector.recordMembership(N2, true);

        assertThat(detector.isReachable(N2)).isTrue();
        assertThat(detector.state()).isEqualTo(ClusterState.HEALING);
    }

    @Test
    void aNodeDownByCallsAndThenDeclaredDeadGetsNoTrialUntilItLives() {
        failTimes(N2, 3);
        detector.recordMembership(N2, false);
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        assertThat(detector.tryAdmitTrial(N2)).isFalse();

        detector.recordMembership(N2, true);
        failTimes(N2, 3); // down by calls alone again: trials resume after the backoff
        now.addAndGet(Duration.ofSeconds(2).toNanos());

        assertThat(detector.tryAdmitTrial(N2)).isTrue();
    }

    @Test
    void answeredSinceSaysWhetherACallSucceededSinceAMoment() {
        assertThat(detector.answeredSince(N2, 0)).isFalse();
        now.set(100);
        detector.recordSuccess(N2, Duration.ofMillis(1));

        assertThat(detector.answeredSince(N2, 100)).isTrue();
        assertThat(detector.answeredSince(N2, 101)).isFalse();
        assertThat(detector.answeredSince(N3, 0)).isFalse();
    }

    @Test
    void aPeerThatAnswersForTheFirstTimeJoinsWithoutHealing() {
        failTimes(N2, 3); // still starting when this node came up
        assertThat(detector.state()).isEqualTo(ClusterState.PARTITIONED);

        detector.recordProbe(N2, true);

        assertThat(detector.state()).isEqualTo(ClusterState.CONNECTED);
    }

    @Test
    void nodeThatComesBackHealsThenConnectsAfterTheWindow() {
        detector.recordSuccess(N2, Duration.ofMillis(3));
        failTimes(N2, 3);
        now.addAndGet(Duration.ofSeconds(30).toNanos());

        detector.recordSuccess(N2, Duration.ofMillis(3));

        assertThat(detector.isReachable(N2)).isTrue();
        assertThat(detector.state()).isEqualTo(ClusterState.HEALING);
        now.addAndGet(Duration.ofSeconds(10).toNanos() - 1);
        assertThat(detector.state()).isEqualTo(ClusterState.HEALING);
        now.addAndGet(1);
        assertThat(detector.state()).isEqualTo(ClusterState.CONNECTED);
    }

    @Test
    void partitionedWinsOverHealing() {
        detector.recordSuccess(N2, Duration.ofMillis(3));
        failTimes(N2, 3);
        detector.recordSuccess(N2, Duration.ofMillis(3));
        failTimes(N3, 3);

        assertThat(detector.state()).isEqualTo(ClusterState.PARTITIONED);
    }

    @Test
    void openBreakerMakesANodeUnreachableAndItsClosingHeals() {
        detector.recordSuccess(N3, Duration.ofMillis(3));
        openBreakers.add(N3);
        assertThat(detector.isReachable(N3)).isFalse();
        assertThat(detector.state()).isEqualTo(ClusterState.PARTITIONED);

        openBreakers.remove(N3);

        assertThat(detector.state()).isEqualTo(ClusterState.HEALING);
        assertThat(detector.isReachable(N3)).isTrue();
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(detector.state()).isEqualTo(ClusterState.CONNECTED);
    }

    @Test
    void localNodeIsAlwaysReachable() {
        failTimes(N1, 10);
        openBreakers.add(N1);

        assertThat(detector.isReachable(N1)).isTrue();
        assertThat(detector.state()).isEqualTo(ClusterState.CONNECTED);
    }

    @Test
    void probesCountLikeCalls() {
        detector.recordProbe(N2, true);
        detector.recordProbe(N2, false);
        detector.recordProbe(N2, false);
        detector.recordProbe(N2, false);
        assertThat(detector.isReachable(N2)).isFalse();

        detector.recordProbe(N2, true);

        assertThat(detector.isReachable(N2)).isTrue();
        assertThat(detector.state()).isEqualTo(ClusterState.HEALING);
    }

    @Test
    void nodeFirstSeenInAReportIsTracked() {
        NodeId n4 = NodeId.of("n4");
        assertThat(detector.isReachable(n4)).isTrue();

        failTimes(n4, 3);

        assertThat(detector.isReachable(n4)).isFalse();
        assertThat(detector.state()).isEqualTo(ClusterState.PARTITIONED);
    }

    @Test
    void nodeMarkedDownGetsOneTrialAfterTheBackoffAndASuccessClearsIt() {
        detector.recordSuccess(N2, Duration.ofMillis(2));
        failTimes(N2, 3);
        assertThat(detector.tryAdmitTrial(N2)).isFalse();
        now.addAndGet(Duration.ofSeconds(1).toNanos() - 1);
        assertThat(detector.tryAdmitTrial(N2)).isFalse();

        now.addAndGet(1);

        assertThat(detector.tryAdmitTrial(N2)).isTrue();
        assertThat(detector.tryAdmitTrial(N2)).as("one trial per backoff").isFalse();
        assertThat(detector.isReachable(N2))
                .as("still down until the trial answers")
                .isFalse();
        assertThat(detector.state()).isEqualTo(ClusterState.PARTITIONED);

        detector.recordSuccess(N2, Duration.ofMillis(2));

        assertThat(detector.isReachable(N2)).isTrue();
        assertThat(detector.state()).isEqualTo(ClusterState.HEALING);
    }

    @Test
    void failedTrialsDoubleTheBackoffUpToItsCeiling() {
        failTimes(N2, 3);
        long[] expectedBackoffsMs = {1000, 2000, 4000, 8000, 16000, 30000, 30000};
        for (long backoffMs : expectedBackoffsMs) {
            now.addAndGet(Duration.ofMillis(backoffMs).toNanos() - 1);
            assertThat(detector.tryAdmitTrial(N2)).as("before %d ms", backoffMs).isFalse();
            now.addAndGet(1);
            assertThat(detector.tryAdmitTrial(N2)).as("after %d ms", backoffMs).isTrue();
            detector.recordFailure(N2, MissingReason.TIMEOUT);
        }
        assertThat(detector.isReachable(N2)).isFalse();
    }

    @Test
    void aTrialThatNeverReportsIsFollowedByTheNextOne() {
        failTimes(N2, 3);
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(detector.tryAdmitTrial(N2)).isTrue();

        now.addAndGet(Duration.ofSeconds(1).toNanos());

        assertThat(detector.tryAdmitTrial(N2)).isTrue();
    }

    @Test
    void reachableNodesAndOpenBreakersAdmitNoTrial() {
        assertThat(detector.tryAdmitTrial(N2)).as("not down").isFalse();
        failTimes(N3, 3);
        openBreakers.add(N3);
        now.addAndGet(Duration.ofMinutes(1).toNanos());

        assertThat(detector.tryAdmitTrial(N3))
                .as("its breaker decides while open")
                .isFalse();
        openBreakers.remove(N3);
        assertThat(detector.tryAdmitTrial(N3)).isTrue();
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatThrownBy(() -> new ObservedPartitionDetector(
                        List.of(N1),
                        N1,
                        3,
                        openBreakers::contains,
                        now::get,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max trial backoff must be >= trial backoff (PT2S), got PT1S");
        assertThatThrownBy(() -> new ObservedPartitionDetector(
                        List.of(N1),
                        N1,
                        3,
                        openBreakers::contains,
                        now::get,
                        Duration.ofSeconds(1),
                        Duration.ZERO,
                        Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("trial backoff must be positive, got PT0S");
        assertThatThrownBy(() -> new ObservedPartitionDetector(
                        List.of(N1), N1, 0, openBreakers::contains, now::get, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("failure threshold must be >= 1, got 0");
        assertThatThrownBy(() -> new ObservedPartitionDetector(
                        List.of(N1), N1, 3, openBreakers::contains, now::get, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("healing window must not be negative, got PT-1S");
        assertThatThrownBy(() -> new ObservedPartitionDetector(List.of(N1, N2, N1), N1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodes must not repeat an entry, got 'n1' twice");
    }

    private void failTimes(NodeId node, int times) {
        for (int i = 0; i < times; i++) {
            detector.recordFailure(node, MissingReason.TIMEOUT);
        }
    }
}
