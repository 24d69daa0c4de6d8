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
import io.engram.query.api.Ticker;
import io.engram.query.executor.scatter.ScatterPhase;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The executor's metrics, in a Dropwizard registry. Names follow Prometheus conventions; labels are encoded in the
 * Dropwizard name as {@code base{key=value}} and turned into real labels by the {@code /metrics} exporter, which takes
 * each family's HELP text from {@link #help()}. Latencies and sizes are {@link BucketCounts} (a Dropwizard timer or
 * histogram that also counts into fixed buckets), exposed as Prometheus histograms. Every series is registered here,
 * so it shows as 0 before the first event; a peer's series appear when {@link #peer(NodeId)} is called at start.
 *
 * <p>A client query is counted once, whatever its shape: {@code engram_query_scatter} (fan-out) and
 * {@code engram_query_latency_seconds} by the strategy of the query as asked. The scatter-gather executions it runs
 * (one for a recall, one per spread round, two for an imagine) are counted apart, by phase, in
 * {@code engram_query_scatters_total}.
 */
public final class QueryMetrics {
    /**
     * A histogram of the fan-out (expected partitions) per client query; its {@code _count} series is the required
     * {@code engram_query_scatter_count{strategy}}, one per client query.
     */
    public static final String SCATTER = "engram_query_scatter";
    /** Scatter-gather executions by {@code phase}: query, spread_round, imagine_seeds, imagine_recall. */
    public static final String SCATTERS = "engram_query_scatters_total";
    /** Always 1, with the version of this build as a label. */
    public static final String BUILD_INFO = "engram_query_build_info";

    public static final String PARTIAL_TIMEOUTS = "engram_query_partial_timeouts_total";
    public static final String LATENCY = "engram_query_latency_seconds";
    public static final String MISSING_PARTITIONS = "engram_query_missing_partitions_total";
    public static final String RETRIES = "engram_query_retries_total";
    public static final String FAILOVERS = "engram_query_failovers_total";
    public static final String HEDGES_SENT = "engram_query_hedges_sent_total";
    public static final String HEDGES_WON = "engram_query_hedges_won_total";
    public static final String PARTITION_REQUESTS = "engram_query_partition_requests_total";
    /** Node-to-node requests this coordinator sent, each carrying every partition one node serves for a round. */
    public static final String NODE_REQUESTS = "engram_query_node_requests_total";
    /** Node-to-node exchanges a node runtime sent, by the transport that carried them ({@code tcp}, {@code http}). */
    public static final String PEER_EXCHANGES = "engram_query_peer_exchanges_total";

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
    /** A histogram of the rounds each distributed spread ran. */
    public static final String SPREAD_ROUNDS = "engram_query_spread_rounds";
    /** A histogram of the frontier (activations carried into the next round) after each spread round. */
    public static final String SPREAD_FRONTIER = "engram_query_spread_frontier";

    /** The default {@code query.max_timeout_ms}, for a registry built without a configuration (tests). */
    public static final Duration DEFAULT_LONGEST_DEADLINE = Duration.ofSeconds(60);

    private static final Buckets FANOUT_BUCKETS = Buckets.powersOfTwoUpTo(1024);
    private static final Buckets ROUND_BUCKETS = Buckets.powersOfTwoUpTo(64);
    private static final Buckets FRONTIER_BUCKETS = Buckets.powersOfTwoUpTo(1 << 16);

    private static final Map<String, String> HELP = Map.ofEntries(
            Map.entry(
                    SCATTER,
                    "Partitions each client query was planned to ask (fan-out), by the strategy of the query"
                            + " as asked (a spread: of its first round); _count counts client queries, once each"),
            Map.entry(
                    SCATTERS,
                    "Scatter-gather executions, by phase: one per recall (query), one per spread round"
                            + " (spread_round), two per imagine (imagine_seeds, imagine_recall)"),
            Map.entry(BUILD_INFO, "Always 1; the version label is this node's build"),
            Map.entry(PARTIAL_TIMEOUTS, "Partitions left out of an answer because their deadline passed"),
            Map.entry(
                    LATENCY,
                    "Seconds from planning a client query to its answer, by the strategy of the query"
                            + " as asked, once per client query"),
            Map.entry(MISSING_PARTITIONS, "Partitions left out of an answer, for any reason"),
            Map.entry(RETRIES, "Partition calls retried on the same peer after a transient failure"),
            Map.entry(FAILOVERS, "Partition calls moved to another replica after a failure"),
            Map.entry(HEDGES_SENT, "Hedge calls sent to a second replica while the first had not answered"),
            Map.entry(HEDGES_WON, "Hedge calls that answered before the call they hedged"),
            Map.entry(PARTITION_REQUESTS, "Partition calls started by this coordinator, hedges and retries included"),
            Map.entry(
                    NODE_REQUESTS,
                    "Node-to-node requests this coordinator sent, each carrying every partition one peer serves for a"
                            + " round"),
            Map.entry(
                    PEER_EXCHANGES,
                    "Node-to-node exchanges this node sent, by the transport that carried them (tcp once a peer's tcp"
                            + " address is known, http before that or for a peer without one)"),
            Map.entry(PARTITION_LATENCY, "Seconds a peer took to answer a partition call, by peer"),
            Map.entry(BREAKER_STATE, "The circuit breaker of a peer: 0 closed, 1 half-open, 2 open"),
            Map.entry(IN_FLIGHT, "Client queries this node coordinates right now"),
            Map.entry(FAILED_QUERIES, "Client queries answered with an error, by reason (consistency, internal)"),
            Map.entry(CANCELLED, "Client queries whose caller stopped waiting before the answer"),
            Map.entry(PARTITION_CANCELLED, "Partition runs on this node stopped because their caller no longer waited"),
            Map.entry(PARTITIONS_RUNNING, "Partition runs in this node's engine right now"),
            Map.entry(OVERLOADED, "Requests refused at once because this node was at its cap, by scope"),
            Map.entry(CUT_SHORT, "Partition calls cut short by their query's deadline, by whether the peer was blamed"),
            Map.entry(SPREAD_ROUNDS, "Rounds each distributed spread ran"),
            Map.entry(SPREAD_FRONTIER, "Activations carried into the next round after each spread round"));

    private final MetricRegistry registry;
    private final Buckets latencyBuckets;
    private final AtomicInteger inFlight = new AtomicInteger();

    public QueryMetrics(MetricRegistry registry) {
        this(registry, DEFAULT_LONGEST_DEADLINE);
    }

    /** Latency buckets reach {@code longestDeadline} ({@code query.max_timeout_ms}). */
    public QueryMetrics(MetricRegistry registry, Duration longestDeadline) {
        this.registry = requireNonNull(registry, "registry is null");
        this.latencyBuckets = Buckets.latencyUpTo(requireNonNull(longestDeadline, "longest deadline is null"));
        registry.gauge(IN_FLIGHT, () -> inFlight::get);
        registry.gauge(labelled(BUILD_INFO, "version", BuildVersion.VERSION), () -> () -> 1);
        // Register the unlabelled series up front so they show as 0 before the first event.
        registry.counter(PARTIAL_TIMEOUTS);
        registry.counter(MISSING_PARTITIONS);
        registry.counter(RETRIES);
        registry.counter(FAILOVERS);
        registry.counter(HEDGES_SENT);
        registry.counter(HEDGES_WON);
        registry.counter(PARTITION_REQUESTS);
        registry.counter(NODE_REQUESTS);
        registry.counter(CANCELLED);
        registry.counter(PARTITION_CANCELLED);
        registry.counter(labelled(OVERLOADED, "scope", "query"));
        registry.counter(labelled(OVERLOADED, "scope", "partition"));
        registry.counter(labelled(CUT_SHORT, "blamed", "true"));
        registry.counter(labelled(CUT_SHORT, "blamed", "false"));
        registry.counter(labelled(FAILED_QUERIES, "reason", "consistency"));
        registry.counter(labelled(FAILED_QUERIES, "reason", "internal"));
        registry.histogram(SPREAD_ROUNDS, () -> new BucketedHistogram(ROUND_BUCKETS));
        registry.histogram(SPREAD_FRONTIER, () -> new BucketedHistogram(FRONTIER_BUCKETS));
        for (PlanStrategy strategy : PlanStrategy.values()) {
            scatter(strategy);
            latency(strategy);
        }
        for (ScatterPhase phase : ScatterPhase.values()) {
            registry.counter(labelled(SCATTERS, "phase", phase.label()));
        }
    }

    /** The HELP text of every family this class registers, by family name. */
    public static Map<String, String> help() {
        return HELP;
    }

    /** Registers the series of a peer this node may call, so they show (at 0) before the first call. */
    public void peer(NodeId node) {
        partitionLatency(node);
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
        return registry.histogram(
                labelled(SCATTER, "strategy", label(strategy)), () -> new BucketedHistogram(FANOUT_BUCKETS));
    }

    /** Client queries scattered with {@code strategy}. */
    public long scatterCount(PlanStrategy strategy) {
        return scatter(strategy).getCount();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public Timer latency(PlanStrategy strategy) {
        return registry.timer(labelled(LATENCY, "strategy", label(strategy)), () -> new BucketedTimer(latencyBuckets));
    }

    /** Partition call latency of {@code node}; labelled {@code peer}, as {@code node} is often a target label. */
    public Timer partitionLatency(NodeId node) {
        return registry.timer(
                labelled(PARTITION_LATENCY, "peer", node.value()), () -> new BucketedTimer(latencyBuckets));
    }

    /** A scatter-gather execution started, as {@code phase} of its client query. */
    public void scatterStarted(ScatterPhase phase) {
        registry.counter(labelled(SCATTERS, "phase", phase.label())).inc();
    }

    /** A client query started, with the strategy and fan-out of the query as asked. */
    public void queryStarted(PlanStrategy strategy, int fanout) {
        inFlight.incrementAndGet();
        scatter(strategy).update(fanout);
    }

    /** A client query answered (possibly with an error) after {@code took}. */
    public void queryFinished(PlanStrategy strategy, Duration took) {
        inFlight.decrementAndGet();
        latency(strategy).update(took.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Counts a client query that runs as several executions (a spread, an imagine) once: started now, with the
     * strategy and fan-out of the query as asked, and finished (or abandoned, when its caller cancels) with
     * {@code result}.
     */
    public void clientQuery(
            PlanStrategy strategy, int fanout, Ticker ticker, long startNanos, CompletableFuture<?> result) {
        queryStarted(strategy, fanout);
        result.whenComplete((answer, failure) -> {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause()
                    : failure;
            if (cause instanceof CancellationException) {
                queryAbandoned();
                return;
            }
            queryFinished(strategy, Duration.ofNanos(ticker.nanoTime() - startNanos));
            if (cause instanceof io.engram.query.api.ConsistencyException) {
                queryFailed("consistency"); // once per client query, whichever of its rounds or phases failed
            }
        });
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
        partitionRequests(1);
    }

    /** {@code count} partition calls started together (a node request's). */
    public void partitionRequests(int count) {
        registry.counter(PARTITION_REQUESTS).inc(count);
    }

    public void nodeRequest() {
        registry.counter(NODE_REQUESTS).inc();
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
        String name = labelled(BREAKER_STATE, "peer", node.value());
        if (!registry.getGauges().containsKey(name)) {
            registry.gauge(name, () -> (Gauge<Integer>) state::get);
        }
    }

    public long count(String name) {
        Counter counter = registry.getCounters().get(name);
        return counter == null ? 0 : counter.getCount();
    }
}
