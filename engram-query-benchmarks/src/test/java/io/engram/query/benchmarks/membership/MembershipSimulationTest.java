package io.engram.query.benchmarks.membership;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.planner.membership.MembershipConfig;
import org.junit.jupiter.api.Test;

/** The simulation measures what the protocol promises, on a virtual clock (no wall-clock figure is asserted). */
class MembershipSimulationTest {
    private static final MembershipConfig DEFAULTS = MembershipConfig.defaults();

    @Test
    void aHealthyClusterSendsOneProbePerNodePerPeriodAndEveryDeathIsSeenInTime() {
        for (int size : new int[] {3, 5, 50}) {
            MembershipSimulation.Result r = MembershipSimulation.measure(size, DEFAULTS, 0.0, 7);

            assertThat(r.requestsPerSecondPerNode())
                    .as("%d nodes", size)
                    .isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
            assertThat(r.answersPerSecondPerNode())
                    .as("%d nodes", size)
                    .isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
            assertThat(r.falseDeaths()).isZero();
            assertThat(r.allDeclaredDeadMaxMs())
                    .as("%d nodes", size)
                    .isPositive()
                    .isLessThanOrEqualTo(DEFAULTS.expectedDetection().toMillis() * 2);
            assertThat(r.pausedEvicted()).isFalse();
            assertThat(r.pausedClearedMs()).isNotNegative();
        }
    }

    @Test
    void fewerThanThreeNodesAreRefusedSayingWhy() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MembershipSimulation.measure(2, DEFAULTS, 0.0, 1))
                .hasMessage("the simulation needs at least 3 nodes (one dies, one pauses, one watches), got 2");
    }
}
