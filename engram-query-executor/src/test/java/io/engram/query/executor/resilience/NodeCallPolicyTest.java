package io.engram.query.executor.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.api.NodeId;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.metrics.QueryMetrics;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class NodeCallPolicyTest {
    private static final NodeId NODE = NodeId.of("n2");

    private static NodeCallPolicy policy(long resetMs) {
        QueryConfig config = QueryConfig.fromToml(
                "[query.circuit_breaker]\nfailure_threshold = 2\nreset_timeout_ms = " + resetMs + "\n");
        return new NodeCallPolicy(config, new QueryMetrics(new MetricRegistry()));
    }

    @Test
    void breakerOpensAfterTheFailureThreshold() {
        NodeCallPolicy policy = policy(60_000);
        policy.breaker(NODE).recordFailure();
        assertThat(policy.isOpen(NODE)).isFalse();
        policy.breaker(NODE).recordFailure();
        assertThat(policy.isOpen(NODE)).isTrue();
        assertThat(policy.state(NODE)).isEqualTo("open");
    }

    @Test
    void openBreakerStopsRefusingOnceItsResetTimeoutIsOverSoATrialCallCanBeSent() {
        NodeCallPolicy policy = policy(50);
        policy.breaker(NODE).recordFailure();
        policy.breaker(NODE).recordFailure();
        assertThat(policy.isOpen(NODE)).isTrue();
        // no call asks the breaker for a permit meanwhile: it must not stay open for the planner
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !policy.isOpen(NODE));
        assertThat(policy.breaker(NODE).tryAcquirePermit()).isTrue();
        assertThat(policy.state(NODE)).isEqualTo("half-open");
    }
}
