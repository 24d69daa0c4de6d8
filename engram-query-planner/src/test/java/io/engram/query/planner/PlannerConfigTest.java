package io.engram.query.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlannerConfigTest {
    @Test
    void defaultsAreFanout64And1024SpacesAndNoDefaultStrategy() {
        assertThat(PlannerConfig.defaults()).isEqualTo(new PlannerConfig(64, 1024, Optional.empty()));
    }

    @Test
    void fanoutBelowOneIsRejected() {
        assertThatThrownBy(() -> PlannerConfig.defaults().withMaxFanout(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("query.max_fanout must be >= 1, got 0");
    }

    @Test
    void maxSpacesOutsideItsRangeIsRejected() {
        assertThatThrownBy(() -> PlannerConfig.defaults().withMaxSpaces(10_001))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("query.max_spaces must be in [1, 10000], got 10001");
    }

    @Test
    void invalidDefaultStrategyNameIsRejected() {
        assertThatThrownBy(() -> PlannerConfig.defaults().withDefaultStrategy("Fast"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("planning strategy name must match [a-z][a-z0-9-]* (at most 64 characters), got 'Fast'");
    }
}
