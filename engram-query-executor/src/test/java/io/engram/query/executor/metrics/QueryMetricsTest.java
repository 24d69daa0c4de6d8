package io.engram.query.executor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.api.NodeId;
import io.engram.query.api.PlanStrategy;
import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class QueryMetricsTest {
    private static final Pattern BASE = Pattern.compile("\\{.*");

    private final MetricRegistry registry = new MetricRegistry();
    private final QueryMetrics metrics = new QueryMetrics(registry, Duration.ofSeconds(10));

    @Test
    void everySeriesIsRegisteredAtStartAndHasHelp() {
        metrics.peer(NodeId.of("n2"));

        assertThat(registry.getNames())
                .contains(
                        "engram_query_scatters_total{phase=query}",
                        "engram_query_scatters_total{phase=spread_round}",
                        "engram_query_scatters_total{phase=imagine_seeds}",
                        "engram_query_scatters_total{phase=imagine_recall}",
                        "engram_query_failed_total{reason=consistency}",
                        "engram_query_failed_total{reason=internal}",
                        "engram_query_latency_seconds{strategy=broadcast}",
                        "engram_query_partition_latency_seconds{peer=n2}");
        assertThat(registry.getNames()).anyMatch(n -> n.startsWith("engram_query_build_info{version="));
        for (String name : registry.getNames()) {
            assertThat(QueryMetrics.help())
                    .as("HELP of %s", name)
                    .containsKey(BASE.matcher(name).replaceAll(""));
        }
    }

    @Test
    void latenciesAreBucketedUpToTheLongestDeadline() {
        metrics.queryStarted(PlanStrategy.BROADCAST, 3);
        metrics.queryFinished(PlanStrategy.BROADCAST, Duration.ofMillis(3));

        assertThat(metrics.latency(PlanStrategy.BROADCAST)).isInstanceOfSatisfying(BucketedTimer.class, timer -> {
            assertThat(timer.buckets().upperBounds()).startsWith(0.0001).endsWith(10.0);
            assertThat(timer.cumulativeCounts()[timer.cumulativeCounts().length - 1])
                    .isEqualTo(1);
        });
        assertThat(metrics.scatter(PlanStrategy.BROADCAST)).isInstanceOf(BucketedHistogram.class);
        assertThat(metrics.scatterCount(PlanStrategy.BROADCAST)).isEqualTo(1);
        assertThat(metrics.inFlight()).isZero();
    }
}
