package io.engram.query.executor.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.api.NodeId;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.metrics.QueryMetrics;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BlameRuleTest {
    private static final NodeId FAST = NodeId.of("fast");
    private static final long MS = 1_000_000L;

    private final AtomicLong clock = new AtomicLong();
    private final QueryMetrics metrics = new QueryMetrics(new MetricRegistry());
    private final BlameRule rule = new BlameRule(
            QueryConfig.fromToml("[query.detector]\nslow_call_ms = 100\nslow_call_multiple = 5.0\n")
                    .detector(),
            metrics,
            clock::get);

    @Test
    void aCallCutShortBeforeTheFloorBlamesNoOne() {
        assertThat(rule.blames(FAST, 0))
                .as("deadline passed before the call was sent")
                .isFalse();
        assertThat(rule.blames(FAST, 1 * MS)).as("a caller's 1 ms budget").isFalse();
        assertThat(rule.blames(FAST, 99 * MS)).isFalse();
        assertThat(rule.blames(FAST, 100 * MS))
                .as("a node that hangs past the floor")
                .isTrue();
        assertThat(metrics.count(QueryMetrics.labelled(QueryMetrics.CUT_SHORT, "blamed", "false")))
                .isEqualTo(3);
        assertThat(metrics.count(QueryMetrics.labelled(QueryMetrics.CUT_SHORT, "blamed", "true")))
                .isEqualTo(1);
    }

    @Test
    void aNodeThatIsUsuallySlowIsBlamedOnlyPastAMultipleOfItsOwnP99() {
        NodeId slow = NodeId.of("slow");
        for (int i = 0; i < 50; i++) {
            metrics.partitionAnswered(slow, Duration.ofMillis(40));
        }

        assertThat(rule.thresholdNanos(slow)).isEqualTo(200 * MS);
        assertThat(rule.blames(slow, 150 * MS))
                .as("slow, but as slow as it always is")
                .isFalse();
        assertThat(rule.blames(slow, 200 * MS)).isTrue();
        assertThat(rule.thresholdNanos(FAST))
                .as("too few samples: the floor alone")
                .isEqualTo(100 * MS);
    }

    @Test
    void theThresholdFollowsTheNodesLatencyAfterTheRefresh() {
        NodeId node = NodeId.of("n");
        assertThat(rule.thresholdNanos(node)).isEqualTo(100 * MS);
        for (int i = 0; i < 50; i++) {
            metrics.partitionAnswered(node, Duration.ofMillis(60));
        }
        assertThat(rule.thresholdNanos(node)).as("cached until the refresh").isEqualTo(100 * MS);

        clock.addAndGet(BlameRule.REFRESH.toNanos());

        assertThat(rule.thresholdNanos(node)).isEqualTo(300 * MS);
    }
}
