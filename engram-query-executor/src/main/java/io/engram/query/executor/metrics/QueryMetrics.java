package io.engram.query.executor.metrics;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.PlanStrategy;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The executor's metrics, in a Dropwizard registry. Names follow Prometheus conventions; labels are encoded in the
 * Dropwizard name as {@code base{key=value}} and turned into real labels by the {@code /metrics} exporter.
 */
public final class QueryMetrics {
    /**
     * A summary of the fan-out (expected partitions) per query; its {@code _count} series is the required
     * {@code engram_query_scatter_count{strategy}}, which keeps the exposition lint-clean for promtool.
     */
    public static final String SCATTER = "engram_query_scatter";

    public static final String PARTIAL_TIMEOUTS = "engram_query_partial_timeouts_total";
    public static final String LATENCY = "engram_query_latency_seconds";
    public static final String MISSING_PARTITIONS = "engram_query_missing_partitions_total";
    public static final String RETRIES = "engram_query_retries_total";
    public static final String FAILOVERS = "engram_query_failovers_total";
    public static final String HEDGES_SENT = "engram_query_hedges_sent_total";
    public static final String HEDGES_WON = "engram_query_hedges_won_total";
    public static final String PARTITION_REQUESTS = "engram_query_partition_requests_total";
    public static final String PARTITION_LATENCY = "engram_query_partition_latency_seconds";
    public static final String BREAKER_STATE = "engram_query_circuit_breaker_state";
    public static final String IN_FLIGHT = "engram_query_in_flight";
    public static final String FAILED_QUERIES = "engram_query_failed_total";
    /** Queries whose caller stopped waiting (client gone, future cancelled by the host), counted on the coordinator. */
    public static final String CANCELLED = "engram_query_cancelled_total";
    /** Partition runs on this node that stopped early or never started because their caller no longer waited. */
    public static final String PARTITION_CANCELLED = "engram_query_partition_cancelled_total";
    /** Partition runs in this node's engine right now. */
    public static final String PARTITIONS_RUNNING = "engram_query_partitions_running";
    /** Requests refused at once because this node was at its admission cap, by {@code scope} (query, partition). */
    public static final String OVERLOADED = "engram_query_overloaded_total";
    /** Calls cut short by their query's deadline or timeout, by whether they counted against the node. */
    public static final String CUT_SHORT = "engram_query_calls_cut_short_total";
    /** A summary of the rounds each distributed spread ran. */
    public static final String SPREAD_ROUNDS = "engram_query_spread_rounds";
    /** A summary of the frontier (activations carried into the next round) after each spread round. */
    public static final String SPREAD_FRONTIER = "engram_query_spread_frontier";

    private final MetricRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();

    public QueryMetrics(MetricRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
        registry.gauge(IN_FLIGHT, () -> inFlight::get);
        // Register the unlabelled series up front so they show as 0 before the first event.
        registry.counter(PARTIAL_TIMEOUTS);
        registry.counter(MISSING_PARTITIONS);
        registry.counter(RETRIES);
        registry.counter(FAILOVERS);
        registry.counter(HEDGES_SENT);
        registry.counter(HEDGES_WON);
        registry.counter(PARTITION_REQUESTS);
        registry.counter(CANCELLED);
        registry.counter(PARTITION_CANCELLED);
        registry.counter(labelled(OVERLOADED, "scope", "query"));
        registry.counter(labelled(OVERLOADED, "scope", "partition"));
        registry.counter(labelled(CUT_SHORT, "blamed", "true"));
        registry.counter(labelled(CUT_SHORT, "blamed", "false"));
        registry.histogram(SPREAD_ROUNDS);
        registry.histogram(SPREAD_FRONTIER);
        for (PlanStrategy strategy : PlanStrategy.values()) {
            scatter(strategy);
            latency(strategy);
        }
    }

    public MetricRegistry registry() {
        return registry;
    }

    public static String labelled(String name, String key, String value) {
        return name + "{" + key + "=" + value + "}";
    }

    public static String label(PlanStrategy strategy) {
        return strategy.name().toLowerCase(Locale.ROOT);
    }

    public Histogram scatter(PlanStrategy strategy) {
        return registry.histogram(labelled(SCATTER, "strategy", label(strategy)));
    }

    /** Queries scattered with {@code strategy}. */
    public long scatterCount(PlanStrategy strategy) {
        return scatter(strategy).getCount();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public Timer latency(PlanStrategy strategy) {
        return registry.timer(labelled(LATENCY, "strategy", label(strategy)));
    }

    public Timer partitionLatency(NodeId node) {
        return registry.timer(labelled(PARTITION_LATENCY, "node", node.value()));
    }

    public void queryStarted(PlanStrategy strategy, int fanout) {
        inFlight.incrementAndGet();
        scatter(strategy).update(fanout);
    }

    public void queryFinished(PlanStrategy strategy, Duration took) {
        inFlight.decrementAndGet();
        latency(strategy).update(took.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** A query stopped without an answer because its caller cancelled it (not counted as finished). */
    public void queryAbandoned() {
        inFlight.decrementAndGet();
    }

    public void queryFailed(String reason) {
        registry.counter(labelled(FAILED_QUERIES, "reason", reason)).inc();
    }

    public void partitionMissing(MissingReason reason) {
        registry.counter(MISSING_PARTITIONS).inc();
        if (reason == MissingReason.TIMEOUT) {
            registry.counter(PARTIAL_TIMEOUTS).inc();
        }
    }

    public void partitionRequest() {
        registry.counter(PARTITION_REQUESTS).inc();
    }

    public void partitionAnswered(NodeId node, Duration latency) {
        partitionLatency(node).update(latency.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** A distributed spread finished after {@code rounds} rounds. */
    public void spreadFinished(int rounds) {
        registry.histogram(SPREAD_ROUNDS).update(rounds);
    }

    /** A spread round ended with {@code size} activations to carry into the next round (0 when none). */
    public void spreadFrontier(int size) {
        registry.histogram(SPREAD_FRONTIER).update(size);
    }

    /** A query's caller stopped waiting for it. */
    public void queryCancelled() {
        registry.counter(CANCELLED).inc();
    }

    /** A partition run on this node stopped because its caller no longer waited. */
    public void partitionCancelled() {
        registry.counter(PARTITION_CANCELLED).inc();
    }

    /** A request was refused because this node was at its cap; {@code scope} is query or partition. */
    public void overloaded(String scope) {
        registry.counter(labelled(OVERLOADED, "scope", scope)).inc();
    }

    /** A call was cut short by its deadline; {@code blamed} says whether it counted against its node. */
    public void callCutShort(boolean blamed) {
        registry.counter(labelled(CUT_SHORT, "blamed", Boolean.toString(blamed)))
                .inc();
    }

    public void retry() {
        registry.counter(RETRIES).inc();
    }

    public void failover() {
        registry.counter(FAILOVERS).inc();
    }

    public void hedgeSent() {
        registry.counter(HEDGES_SENT).inc();
    }

    public void hedgeWon() {
        registry.counter(HEDGES_WON).inc();
    }

    /** Publishes a node's breaker state: 0 closed, 1 half-open, 2 open. */
    public void breakerState(NodeId node, Supplier<Integer> state) {
        String name = labelled(BREAKER_STATE, "node", node.value());
        if (!registry.getGauges().containsKey(name)) {
            registry.gauge(name, () -> (Gauge<Integer>) state::get);
        }
    }

    public long count(String name) {
        Counter counter = registry.getCounters().get(name);
        return counter == null ? 0 : counter.getCount();
    }
}
