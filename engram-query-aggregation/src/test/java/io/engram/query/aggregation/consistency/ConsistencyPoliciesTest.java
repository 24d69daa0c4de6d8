package io.engram.query.aggregation.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.spi.CoverageProgress;
import org.junit.jupiter.api.Test;

class ConsistencyPoliciesTest {
    private final QuorumConsistency quorum = new QuorumConsistency();
    private final AllConsistency all = new AllConsistency();
    private final BestEffortConsistency bestEffort = new BestEffortConsistency();

    @Test
    void bestEffortIsAlwaysSatisfied() {
        CoverageProgress nothing = new CoverageProgress(5, 0, 5);

        assertThat(bestEffort.isSatisfied(nothing)).isTrue();
        assertThat(bestEffort.canStillSucceed(nothing)).isTrue();
    }

    @Test
    void quorumSucceedsWithThreeOfFive() {
        assertThat(quorum.isSatisfied(new CoverageProgress(5, 3, 2))).isTrue();
    }

    @Test
    void quorumFailsWithTwoOfFive() {
        assertThat(quorum.isSatisfied(new CoverageProgress(5, 2, 3))).isFalse();
    }

    @Test
    void quorumNeedsMoreThanHalfOfAnEvenCount() {
        assertThat(quorum.isSatisfied(new CoverageProgress(4, 2, 2))).isFalse();
        assertThat(quorum.isSatisfied(new CoverageProgress(4, 3, 1))).isTrue();
    }

    @Test
    void quorumGivesUpOnceAMajorityIsImpossible() {
        assertThat(quorum.canStillSucceed(new CoverageProgress(5, 0, 2))).isTrue();
        assertThat(quorum.canStillSucceed(new CoverageProgress(5, 0, 3))).isFalse();
    }

    @Test
    void quorumOfNothingIsSatisfied() {
        assertThat(quorum.isSatisfied(new CoverageProgress(0, 0, 0))).isTrue();
        assertThat(quorum.canStillSucceed(new CoverageProgress(0, 0, 0))).isTrue();
    }

    @Test
    void allNeedsEveryPartition() {
        assertThat(all.isSatisfied(new CoverageProgress(3, 3, 0))).isTrue();
        assertThat(all.isSatisfied(new CoverageProgress(3, 2, 1))).isFalse();
        assertThat(all.isSatisfied(new CoverageProgress(0, 0, 0))).isTrue();
    }

    @Test
    void allGivesUpOnTheFirstLoss() {
        assertThat(all.canStillSucceed(new CoverageProgress(3, 0, 0))).isTrue();
        assertThat(all.canStillSucceed(new CoverageProgress(3, 0, 1))).isFalse();
    }

    @Test
    void namesMatchTheDesign() {
        assertThat(bestEffort.name()).isEqualTo("best-effort");
        assertThat(quorum.name()).isEqualTo("quorum");
        assertThat(all.name()).isEqualTo("all");
    }
}
