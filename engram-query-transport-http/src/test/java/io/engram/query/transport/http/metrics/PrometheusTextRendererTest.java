package io.engram.query.transport.http.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.api.NodeId;
import io.engram.query.api.PlanStrategy;
import io.engram.query.executor.metrics.QueryMetrics;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusTextRendererTest {
    private final MetricRegistry registry = new MetricRegistry();
    private final QueryMetrics metrics = new QueryMetrics(registry, Duration.ofSeconds(1));
    private final PrometheusTextRenderer renderer = new PrometheusTextRenderer(registry);

    @Test
    void latenciesAreHistogramsWithBucketsSumAndCount() {
        metrics.queryStarted(PlanStrategy.BROADCAST, 3);
        metrics.queryFinished(PlanStrategy.BROADCAST, Duration.ofMillis(3));
        metrics.partitionAnswered(NodeId.of("n2"), Duration.ofMillis(2));

        List<String> lines = renderer.render().lines().toList();

        assertThat(lines)
                .contains(
                        "# TYPE engram_query_latency_seconds histogram",
                        "engram_query_latency_seconds_bucket{strategy=\"broadcast\",le=\"0.0025\",} 0.0",
                        "engram_query_latency_seconds_bucket{strategy=\"broadcast\",le=\"0.005\",} 1.0",
                        "engram_query_latency_seconds_bucket{strategy=\"broadcast\",le=\"1.0\",} 1.0",
                        "engram_query_latency_seconds_bucket{strategy=\"broadcast\",le=\"+Inf\",} 1.0",
                        "engram_query_latency_seconds_count{strategy=\"broadcast\",} 1.0",
                        "engram_query_latency_seconds_sum{strategy=\"broadcast\",} 0.003",
                        "engram_query_latency_seconds_count{strategy=\"single_partition\",} 0.0",
                        "engram_query_partition_latency_seconds_bucket{peer=\"n2\",le=\"0.0025\",} 1.0",
                        "# TYPE engram_query_scatter histogram",
                        "engram_query_scatter_bucket{strategy=\"broadcast\",le=\"4.0\",} 1.0",
                        "engram_query_scatter_count{strategy=\"broadcast\",} 1.0",
                        "# HELP engram_query_latency_seconds "
                                + QueryMetrics.help().get(QueryMetrics.LATENCY));
        assertThat(lines.stream().filter(l -> l.startsWith("# TYPE engram_query_latency_seconds ")))
                .hasSize(1);
    }

    @Test
    void everyFamilyHasOurHelpAndTheJvmCollectorsAreThere() {
        List<String> lines = renderer.render().lines().toList();

        assertThat(lines)
                .filteredOn(l -> l.startsWith("# HELP engram_"))
                .isNotEmpty()
                .allSatisfy(l -> {
                    String family = l.split(" ")[2];
                    assertThat(l)
                            .isEqualTo("# HELP " + family + " "
                                    + QueryMetrics.help().get(family));
                });
        assertThat(lines).noneMatch(l -> l.contains("Generated from Dropwizard"));
        assertThat(lines)
                .anyMatch(l -> l.startsWith("jvm_memory_bytes_used{area=\"heap\",} "))
                .anyMatch(l -> l.startsWith("jvm_gc_collection_seconds_count{"))
                .anyMatch(l -> l.startsWith("jvm_threads_current "))
                .anyMatch(l -> l.startsWith("process_start_time_seconds "))
                .anyMatch(l -> l.startsWith("engram_query_build_info{version=\""));
    }
}
