package io.engram.query.planner.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.spi.SpaceAssignment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReplicaSelectorTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final NodeId N3 = NodeId.of("n3");
    private static final NodeId N4 = NodeId.of("n4");
    private static final NodeId ELSEWHERE = NodeId.of("n9");
    private static final SpaceAssignment S1 = new SpaceAssignment(MemorySpaceId.of("s1"), N2, List.of(N3, N1));

    private final ReplicaSelector selector = new ReplicaSelector();

    @Test
    void scoreIsTheLatencyAverageWeightedByAlpha() {
        ReplicaSelector halves = new ReplicaSelector(0.5);
        observe(halves, N1, 10);
        observe(halves, N1, 20);

        assertThat(halves.score(N1)).isCloseTo(15.0, within(1e-9));
    }

    @Test
    void outstandingCallsRaiseTheScoreLinearly() {
        observe(selector, N1, 10);
        selector.onCallStarted(N1);
        selector.onCallStarted(N1);

        assertThat(selector.score(N1)).isCloseTo(30.0, within(1e-9));
    }

    @Test
    void unknownNodeGetsTheMeanOfObservedNodes() {
        assertThat(selector.score(N4)).isZero();

        observe(selector, N1, 10);
        observe(selector, N2, 30);

        assertThat(selector.score(N4)).isCloseTo(20.0, within(1e-9));
    }

    @Test
    void failureEndsTheOutstandingCallAndPenalises() {
        observe(selector, N1, 10);
        selector.onCallStarted(N1);

        selector.onCallFailed(N1);

        // 0.3 × (2 × 10) + 0.7 × 10, and no call outstanding any more.
        assertThat(selector.score(N1)).isCloseTo(13.0, within(1e-9));
    }

    @Test
    void failureOfAnUnobservedNodeCountsAtLeastOneMillisecond() {
        selector.onCallStarted(N1);
        selector.onCallFailed(N1);

        assertThat(selector.score(N1)).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void extraEndReportsDoNotMakeOutstandingNegative() {
        observe(selector, N1, 10);
        selector.onCallSucceeded(N1, Duration.ofMillis(10));
        selector.onCallFailed(N1);

        selector.onCallStarted(N1);

        assertThat(selector.score(N1)).isCloseTo(2 * 13.0, within(1e-9));
    }

    @Test
    void withoutObservationsThePrimaryComesFirstThenNodeIds() {
        assertThat(selector.order(S1, ELSEWHERE, n -> true)).containsExactly(N2, N1, N3);
    }

    @Test
    void localCopyComesFirstWhenUsable() {
        observe(selector, N3, 1);
        observe(selector, N1, 100);

        assertThat(selector.order(S1, N1, n -> true)).containsExactly(N1, N3, N2);
        assertThat(selector.order(S1, N1, n -> !n.equals(N1))).containsExactly(N3, N2);
    }

    @Test
    void orderFollowsScoresAndFlipsWhenTheyFlip() {
        observe(selector, N1, 5);
        observe(selector, N2, 10);
        observe(selector, N3, 20);
        assertThat(selector.order(S1, ELSEWHERE, n -> true)).containsExactly(N1, N2, N3);

        for (int i = 0; i < 30; i++) {
            observe(selector, N1, 40);
            observe(selector, N3, 2);
        }
        assertThat(selector.order(S1, ELSEWHERE, n -> true)).containsExactly(N3, N2, N1);
    }

    @Test
    void noiseBetweenHealthyCopiesKeepsThePrimaryFirstAClearlyFasterCopyMovesAhead() {
        SpaceAssignment a = new SpaceAssignment(MemorySpaceId.of("s1"), N3, List.of(N2));
        observe(selector, N3, 3);
        observe(selector, N2, 2);
        assertThat(selector.order(a, ELSEWHERE, n -> true)).containsExactly(N3, N2);

        for (int i = 0; i < 30; i++) {
            observe(selector, N3, 12);
        }
        assertThat(selector.order(a, ELSEWHERE, n -> true)).containsExactly(N2, N3);
    }

    @Test
    void outstandingCallsPushABusyNodeDown() {
        observe(selector, N2, 10);
        observe(selector, N3, 15);
        observe(selector, N1, 15);
        selector.onCallStarted(N2);
        selector.onCallStarted(N2); // 10 ms × 3: clearly behind the others' 15

        assertThat(selector.order(S1, ELSEWHERE, n -> true)).containsExactly(N1, N3, N2);
    }

    @Test
    void primaryWinsTiesThenNodeId() {
        SpaceAssignment a = new SpaceAssignment(MemorySpaceId.of("s1"), N3, List.of(N2, N1));
        observe(selector, N1, 10);
        observe(selector, N2, 10);
        observe(selector, N3, 10);

        assertThat(selector.order(a, ELSEWHERE, n -> true)).containsExactly(N3, N1, N2);
    }

    @Test
    void unusableCopiesAreLeftOut() {
        assertThat(selector.order(S1, ELSEWHERE, n -> n.equals(N3))).containsExactly(N3);
        assertThat(selector.order(S1, ELSEWHERE, n -> false)).isEmpty();
    }

    @Test
    void concurrentReportsKeepCountsConsistent() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch done = new CountDownLatch(4);
        List<NodeId> nodes = List.of(N1, N2, N3, N4);
        for (NodeId node : nodes) {
            pool.execute(() -> {
                for (int i = 0; i < 1_000; i++) {
                    selector.onCallStarted(node);
                    selector.onCallSucceeded(node, Duration.ofMillis(10));
                }
                done.countDown();
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        pool.shutdown();

        List<Double> scores = new ArrayList<>();
        nodes.forEach(n -> scores.add(selector.score(n)));
        assertThat(scores).allSatisfy(score -> assertThat(score).isCloseTo(10.0, within(1e-6)));
    }

    @Test
    void invalidInputIsRejected() {
        assertThatThrownBy(() -> new ReplicaSelector(0.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replica selection alpha must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> selector.onCallSucceeded(N1, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("latency must not be negative, got PT-0.001S");
    }

    private static void observe(ReplicaSelector selector, NodeId node, long millis) {
        selector.onCallStarted(node);
        selector.onCallSucceeded(node, Duration.ofMillis(millis));
    }
}
