package io.engram.query.executor.hedging;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.api.NodeId;
import io.engram.query.api.Ticker;
import io.engram.query.executor.config.QueryConfig.HedgeConfig;
import io.engram.query.executor.config.QueryConfig.HedgeConfig.Mode;
import io.engram.query.executor.metrics.QueryMetrics;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HedgeDelayTest {
    private static final NodeId N1 = NodeId.of("n1");
    private static final NodeId N2 = NodeId.of("n2");
    private static final int MIN_SAMPLES = 20;

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final Ticker ticker = now::get;
    private final QueryMetrics metrics = new QueryMetrics(new MetricRegistry());

    @Test
    void fixedModeHedgesAfterTheFixedDelayWhateverTheNodeMeasured() {
        HedgeDelay delay = delay(Mode.FIXED, 10, 2, 50);
        observe(N1, 40, Duration.ofSeconds(1));

        assertThat(delay.forNode(N1)).contains(Duration.ofMillis(10));
        assertThat(delay.forNode(N2)).contains(Duration.ofMillis(10));
    }

    @Test
    void offModeNeverHedges() {
        HedgeDelay delay = delay(Mode.OFF, 10, 2, 50);
        observe(N1, 40, Duration.ofMillis(30));

        assertThat(delay.forNode(N1)).isEmpty();
    }

    @Test
    void adaptiveModeUsesTheFixedDelayUntilMinSamplesCallsWereObserved() {
        HedgeDelay delay = delay(Mode.ADAPTIVE, 10, 2, 50);
        observe(N1, MIN_SAMPLES - 1, Duration.ofMillis(30));

        assertThat(delay.forNode(N1)).contains(Duration.ofMillis(10));

        observe(N1, 1, Duration.ofMillis(30));
        now.addAndGet(HedgeDelay.REFRESH.toNanos());
        assertThat(delay.forNode(N1)).contains(Duration.ofMillis(30));
    }

    @Test
    void adaptiveModeClampsTheFixedDelayBeforeMinSamples() {
        assertThat(delay(Mode.ADAPTIVE, 100, 2, 50).forNode(N1)).contains(Duration.ofMillis(50));
        assertThat(delay(Mode.ADAPTIVE, 1, 2, 50).forNode(N1)).contains(Duration.ofMillis(2));
    }

    @Test
    void adaptiveModeUsesTheNodesPercentileClampedToMinAndMax() {
        NodeId fast = NodeId.of("fast");
        HedgeDelay delay = delay(Mode.ADAPTIVE, 10, 2, 50);
        observe(N1, MIN_SAMPLES, Duration.ofMillis(30));
        observe(N2, MIN_SAMPLES, Duration.ofMillis(500));
        observe(fast, MIN_SAMPLES, Duration.ofMillis(1).dividedBy(10));

        assertThat(delay.forNode(N1)).contains(Duration.ofMillis(30));
        assertThat(delay.forNode(N2)).as("above max_delay_ms").contains(Duration.ofMillis(50));
        assertThat(delay.forNode(fast)).as("below min_delay_ms").contains(Duration.ofMillis(2));
    }

    @Test
    void adaptiveDelayIsReusedForTheRefreshIntervalThenReadAgain() {
        HedgeDelay delay = delay(Mode.ADAPTIVE, 10, 2, 50);
        observe(N1, MIN_SAMPLES, Duration.ofMillis(30));
        assertThat(delay.forNode(N1)).contains(Duration.ofMillis(30));

        // the node slows down: nearly every sample of its reservoir is now 40 ms
        observe(N1, 1_000, Duration.ofMillis(40));
        now.addAndGet(HedgeDelay.REFRESH.toNanos() - 1);
        assertThat(delay.forNode(N1))
                .as("reused until %s has passed", HedgeDelay.REFRESH)
                .contains(Duration.ofMillis(30));

        now.addAndGet(1);
        assertThat(delay.forNode(N1)).contains(Duration.ofMillis(40));
    }

    @Test
    void eachNodeHasADelayOfItsOwn() {
        HedgeDelay delay = delay(Mode.ADAPTIVE, 10, 2, 50);
        observe(N1, MIN_SAMPLES, Duration.ofMillis(30));
        assertThat(delay.forNode(N1)).contains(Duration.ofMillis(30));

        observe(N2, MIN_SAMPLES, Duration.ofMillis(20));
        assertThat(delay.forNode(N2)).as("not n1's cached delay").contains(Duration.ofMillis(20));
    }

    private HedgeDelay delay(Mode mode, long fixedMs, long minMs, long maxMs) {
        HedgeConfig config = new HedgeConfig(
                mode,
                Duration.ofMillis(fixedMs),
                0.95,
                Duration.ofMillis(minMs),
                Duration.ofMillis(maxMs),
                0.1,
                Duration.ofSeconds(10),
                MIN_SAMPLES);
        return new HedgeDelay(config, metrics, ticker);
    }

    private void observe(NodeId node, int calls, Duration latency) {
        for (int i = 0; i < calls; i++) {
            metrics.partitionLatency(node).update(latency);
        }
    }
}
