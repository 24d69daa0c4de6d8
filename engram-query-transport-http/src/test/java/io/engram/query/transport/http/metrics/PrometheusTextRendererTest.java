package io.engram.query.transport.http.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.api.NodeId;
import io.engram.query.api.PlanStrategy;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.scatter.ScatterPhase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
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

    @Test
    void everySeriesIsThereAtZeroBeforeTheFirstQuery() {
        metrics.peer(NodeId.of("n2"));

        List<String> lines = renderer.render().lines().toList();

        assertThat(lines)
                .contains(
                        "engram_query_scatter_count{strategy=\"broadcast\",} 0.0",
                        "engram_query_scatter_count{strategy=\"multi_partition\",} 0.0",
                        "engram_query_scatter_count{strategy=\"single_partition\",} 0.0",
                        "engram_query_latency_seconds_bucket{strategy=\"broadcast\",le=\"0.0001\",} 0.0",
                        "engram_query_latency_seconds_bucket{strategy=\"broadcast\",le=\"+Inf\",} 0.0",
                        "engram_query_latency_seconds_count{strategy=\"broadcast\",} 0.0",
                        "engram_query_latency_seconds_sum{strategy=\"broadcast\",} 0.0",
                        "engram_query_partition_latency_seconds_count{peer=\"n2\",} 0.0",
                        "engram_query_partial_timeouts_total 0.0",
                        "engram_query_missing_partitions_total 0.0",
                        "engram_query_scatters_total{phase=\"query\",} 0.0",
                        "engram_query_scatters_total{phase=\"imagine_recall\",} 0.0",
                        "engram_query_spread_rounds_count 0.0",
                        "engram_query_in_flight 0.0");
        assertThat(lines).anyMatch(l -> l.matches("engram_query_build_info\\{version=\"[^\"]+\",} 1\\.0"));
    }

    @Test
    void bucketBoundsHaveNoExponentAndCreatedSeriesAreLeftOut() {
        List<String> lines = renderer.render().lines().toList();

        assertThat(lines)
                .contains(
                        "engram_query_latency_seconds_bucket{strategy=\"broadcast\",le=\"0.0001\",} 0.0",
                        "engram_query_latency_seconds_bucket{strategy=\"broadcast\",le=\"0.00025\",} 0.0",
                        "engram_query_latency_seconds_bucket{strategy=\"broadcast\",le=\"0.001\",} 0.0")
                .noneMatch(l -> l.contains("E-"))
                .noneMatch(l -> l.contains("_created"));
        assertThat(PrometheusTextRenderer.le(1.0)).isEqualTo("1.0");
        assertThat(PrometheusTextRenderer.le(2.5e-4)).isEqualTo("0.00025");
    }

    @Test
    void peersAreLabelledPeerNeverNode() {
        metrics.peer(NodeId.of("n2"));
        metrics.breakerState(NodeId.of("n2"), () -> 2);
        metrics.partitionAnswered(NodeId.of("n2"), Duration.ofMillis(1));

        List<String> lines = renderer.render().lines().toList();

        assertThat(lines)
                .contains(
                        "engram_query_circuit_breaker_state{peer=\"n2\",} 2.0",
                        "engram_query_partition_latency_seconds_count{peer=\"n2\",} 1.0")
                .noneMatch(l -> l.contains("node="));
    }

    @Test
    void anImagineIsOneClientQueryWithItsTwoPhasesCountedApart() {
        // what ImagineCoordinator does: one client query, then its two scatter-gather executions
        CompletableFuture<String> answer = new CompletableFuture<>();
        AtomicLong now = new AtomicLong(1_000);
        metrics.clientQuery(PlanStrategy.MULTI_PARTITION, 2, now::get, now.get(), answer);
        metrics.scatterStarted(ScatterPhase.IMAGINE_SEEDS);
        metrics.scatterStarted(ScatterPhase.IMAGINE_RECALL);
        now.addAndGet(Duration.ofMillis(7).toNanos());
        answer.complete("done");

        List<String> lines = renderer.render().lines().toList();

        assertThat(lines)
                .contains(
                        "engram_query_scatter_count{strategy=\"multi_partition\",} 1.0",
                        "engram_query_latency_seconds_count{strategy=\"multi_partition\",} 1.0",
                        "engram_query_latency_seconds_sum{strategy=\"multi_partition\",} 0.007",
                        "engram_query_latency_seconds_bucket{strategy=\"multi_partition\",le=\"0.005\",} 0.0",
                        "engram_query_latency_seconds_bucket{strategy=\"multi_partition\",le=\"0.01\",} 1.0",
                        "engram_query_scatters_total{phase=\"imagine_seeds\",} 1.0",
                        "engram_query_scatters_total{phase=\"imagine_recall\",} 1.0",
                        "engram_query_scatters_total{phase=\"query\",} 0.0",
                        "engram_query_in_flight 0.0");
    }

    @Test
    void promtoolAcceptsTheRenderedText() throws Exception {
        metrics.peer(NodeId.of("n2"));
        metrics.breakerState(NodeId.of("n2"), () -> 0);
        metrics.scatterStarted(ScatterPhase.QUERY);
        metrics.queryStarted(PlanStrategy.BROADCAST, 3);
        metrics.queryFinished(PlanStrategy.BROADCAST, Duration.ofMillis(3));
        metrics.partitionAnswered(NodeId.of("n2"), Duration.ofNanos(40_000));
        metrics.spreadFinished(3);
        metrics.spreadFrontier(200);

        PrometheusTools.assertPromtoolAccepts(renderer.render());
    }
}
