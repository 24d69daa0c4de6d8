package io.engram.query.executor.config;

import static io.engram.query.spi.config.ValueType.choice;
import static io.engram.query.spi.config.ValueType.decimal;
import static io.engram.query.spi.config.ValueType.integer;
import static io.engram.query.spi.config.ValueType.millis;
import static io.engram.query.spi.config.ValueType.string;

import io.engram.query.spi.config.ConfigKey;
import java.time.Duration;
import java.util.List;

/** The {@code [query]} keys, defined once: {@link QueryConfig} reads them, its records check their values by them. */
public final class QueryKeys {
    private QueryKeys() {}

    public static final ConfigKey<Duration> SCATTER_TIMEOUT = ConfigKey.of(
            "query.scatter_timeout_ms",
            millis(1, 600_000),
            Duration.ofMillis(2000),
            "Deadline of a query that sets no timeout_ms of its own, in milliseconds. It covers planning, queueing,"
                    + " retries, hedges and merging.");
    public static final ConfigKey<Double> PARTIAL_CONFIDENCE_PENALTY = ConfigKey.of(
            "query.partial_confidence_penalty",
            decimal(0.0, 1.0),
            1.0,
            "λ in final = base × (1 − λ × (1 − coverage)). 1.0: final = base × responding / expected; 0.5: Engram's"
                    + " partition-aware confidence; 0: no penalty.");
    public static final ConfigKey<Integer> MAX_FANOUT = ConfigKey.of(
            "query.max_fanout",
            integer(1, 10_000),
            64,
            "Exchanges in flight at once per query: a node request carrying several of a node's spaces counts once,"
                    + " a local partition or a call over a transport that does not batch once each; the rest queue"
                    + " under the same deadline.");
    public static final ConfigKey<Integer> MAX_SPACES = ConfigKey.of(
            "query.max_spaces",
            integer(1, 10_000),
            1024,
            "The most spaces one query may name; a query naming more is rejected.");
    public static final ConfigKey<String> DEFAULT_CONSISTENCY = ConfigKey.of(
            "query.default_consistency",
            string(),
            "best-effort",
            "Consistency policy of a query that names none: best-effort, quorum, all, or a plugin's.");
    public static final ConfigKey<String> DEFAULT_MERGE_POLICY = ConfigKey.of(
            "query.default_merge_policy",
            string(),
            "max",
            "Merge policy of a query that names none: max, noisy-or, or a plugin's.");
    public static final ConfigKey<String> DEFAULT_PLANNING_STRATEGY = ConfigKey.of(
            "query.default_planning_strategy",
            string(),
            "",
            "Planning strategy of a query that names none; empty chooses by query type (single-partition,"
                    + " multi-partition, broadcast, or a plugin's).");
    public static final ConfigKey<Integer> COMPUTE_THREADS = ConfigKey.of(
            "query.compute_threads",
            integer(0, 1024),
            0,
            "Threads running partitions on the local engine; 0 = one per core. Also the most partitions that compute"
                    + " at once: a peer's partition request runs on the HTTP thread that received it when one of these"
                    + " slots is free.");
    public static final ConfigKey<Duration> MAX_TIMEOUT = ConfigKey.of(
            "query.max_timeout_ms",
            millis(1, 600_000),
            Duration.ofMillis(60_000),
            "The longest timeout_ms a query may ask for, in milliseconds, at least query.scatter_timeout_ms; a longer"
                    + " one is rejected (400).");
    public static final ConfigKey<Integer> MAX_QUEUED_PARTITIONS = ConfigKey.of(
            "query.max_queued_partitions",
            integer(0, 1_000_000),
            0,
            "Partition runs (from peers, or this node's own share) that may wait for a compute thread; one more is"
                    + " refused at once as overloaded (a peer gets 429 and its coordinator tries another copy)."
                    + " 0 = 1000, Elasticsearch's search queue size: well above what this node's own admitted queries"
                    + " queue (http.max_concurrent_queries x the spaces it holds).");
    public static final ConfigKey<Integer> MAX_RESULT_MATCHES = ConfigKey.of(
            "query.max_result_matches",
            integer(1, 10_000_000),
            100_000,
            "The most matches one query may gather: limit × partitions. A query that could gather more is rejected"
                    + " (400) before anything is sent, so one query can not make the coordinator hold an unbounded"
                    + " answer.");

    public static final ConfigKey<Integer> DETECTOR_FAILURE_THRESHOLD = ConfigKey.of(
            "query.detector.failure_threshold",
            integer(1, 1000),
            3,
            "Consecutive failed calls after which the embedded partition detector marks a node unreachable.");
    public static final ConfigKey<Duration> DETECTOR_SLOW_CALL = ConfigKey.of(
            "query.detector.slow_call_ms",
            millis(1, 600_000),
            Duration.ofMillis(1000),
            "A call cut short by its query's deadline (or a timeout set from it) counts as a failure of its node only"
                    + " when it had run at least slow_call_ms AND slow_call_multiple × that node's observed p99"
                    + " partition latency. A client asking for timeout_ms = 1 blames no one; a node that hangs is"
                    + " blamed by the first query with an ordinary deadline.");
    public static final ConfigKey<Double> DETECTOR_SLOW_CALL_MULTIPLE = ConfigKey.of(
            "query.detector.slow_call_multiple",
            decimal(1.0, 1000.0),
            5.0,
            "See slow_call_ms: the multiple of the node's observed p99 partition latency.");
    public static final ConfigKey<Duration> DETECTOR_TRIAL_BACKOFF = ConfigKey.of(
            "query.detector.trial_backoff_ms",
            millis(1, 3_600_000),
            Duration.ofMillis(1000),
            "A node marked unreachable gets one trial call after trial_backoff_ms (half-open); a success clears it, a"
                    + " failure doubles the wait up to max_trial_backoff_ms. This heals the embedded detector without"
                    + " a prober.");
    public static final ConfigKey<Duration> DETECTOR_MAX_TRIAL_BACKOFF = ConfigKey.of(
            "query.detector.max_trial_backoff_ms",
            millis(1, 3_600_000),
            Duration.ofMillis(30_000),
            "The longest wait between trial calls, at least trial_backoff_ms.");

    public static final ConfigKey<Integer> RETRY_MAX_ATTEMPTS = ConfigKey.of(
            "query.retry.max_attempts",
            integer(1, 10),
            3,
            "Attempts per copy for retryable failures (connection refused/reset, overload, 5xx), first included."
                    + " Rejected requests are never retried; no retry starts that can not finish before the"
                    + " deadline.");
    public static final ConfigKey<Duration> RETRY_INITIAL_BACKOFF = ConfigKey.of(
            "query.retry.initial_backoff_ms",
            millis(0, 60_000),
            Duration.ofMillis(10),
            "Exponential backoff between attempts: the first wait, in milliseconds.");
    public static final ConfigKey<Duration> RETRY_MAX_BACKOFF = ConfigKey.of(
            "query.retry.max_backoff_ms",
            millis(0, 60_000),
            Duration.ofMillis(200),
            "The longest wait between attempts, in milliseconds, at least initial_backoff_ms.");
    public static final ConfigKey<Double> RETRY_JITTER = ConfigKey.of(
            "query.retry.jitter", decimal(0.0, 1.0), 0.25, "Random share of each backoff added or removed.");

    public static final ConfigKey<Integer> BREAKER_FAILURE_THRESHOLD = ConfigKey.of(
            "query.circuit_breaker.failure_threshold",
            integer(1, 1000),
            5,
            "One breaker per node: opens after this many consecutive failures ...");
    public static final ConfigKey<Duration> BREAKER_RESET_TIMEOUT = ConfigKey.of(
            "query.circuit_breaker.reset_timeout_ms",
            millis(1, 3_600_000),
            Duration.ofMillis(5000),
            "... lets a trial call through after this long (half-open), in milliseconds ...");
    public static final ConfigKey<Integer> BREAKER_SUCCESS_THRESHOLD = ConfigKey.of(
            "query.circuit_breaker.success_threshold",
            integer(1, 1000),
            1,
            "... and closes after this many successful trial calls.");

    public static final ConfigKey<String> HEDGE_MODE = ConfigKey.of(
            "query.hedge.mode",
            choice(List.of("adaptive", "fixed", "off")),
            "adaptive",
            "adaptive: hedge after the node's observed latency percentile, clamped to [min_delay_ms, max_delay_ms];"
                    + " fixed: hedge after delay_ms; off: never hedge.");
    public static final ConfigKey<Duration> HEDGE_DELAY = ConfigKey.of(
            "query.hedge.delay_ms",
            millis(0, 600_000),
            Duration.ofMillis(10),
            "Hedge delay in fixed mode, and in adaptive mode until min_samples calls were observed, in"
                    + " milliseconds.");
    public static final ConfigKey<Double> HEDGE_PERCENTILE = ConfigKey.of(
            "query.hedge.percentile",
            decimal(0.5, 0.9999),
            0.95,
            "Latency percentile of the first copy's node used as the adaptive delay.");
    public static final ConfigKey<Duration> HEDGE_MIN_DELAY = ConfigKey.of(
            "query.hedge.min_delay_ms",
            millis(0, 600_000),
            Duration.ofMillis(2),
            "Floor of the adaptive delay, in milliseconds.");
    public static final ConfigKey<Duration> HEDGE_MAX_DELAY = ConfigKey.of(
            "query.hedge.max_delay_ms",
            millis(0, 600_000),
            Duration.ofMillis(50),
            "Ceiling of the adaptive delay, in milliseconds, at least min_delay_ms.");
    public static final ConfigKey<Double> HEDGE_BUDGET_RATIO = ConfigKey.of(
            "query.hedge.budget_ratio",
            decimal(0.0, 1.0),
            0.1,
            "Hedged requests allowed as a share of partition requests over the window.");
    public static final ConfigKey<Duration> HEDGE_BUDGET_WINDOW = ConfigKey.of(
            "query.hedge.budget_window_ms",
            millis(100, 3_600_000),
            Duration.ofMillis(10_000),
            "The sliding window of the hedge budget, in milliseconds.");
    public static final ConfigKey<Integer> HEDGE_MIN_SAMPLES = ConfigKey.of(
            "query.hedge.min_samples",
            integer(1, 100_000),
            20,
            "Observed calls to a node before its adaptive delay is trusted.");

    /** The sections, in documentation order. */
    public static final List<ConfigSection> SECTIONS = List.of(
            ConfigSection.table(
                    "query",
                    "",
                    SCATTER_TIMEOUT,
                    PARTIAL_CONFIDENCE_PENALTY,
                    MAX_FANOUT,
                    MAX_SPACES,
                    DEFAULT_CONSISTENCY,
                    DEFAULT_MERGE_POLICY,
                    DEFAULT_PLANNING_STRATEGY,
                    COMPUTE_THREADS,
                    MAX_TIMEOUT,
                    MAX_QUEUED_PARTITIONS,
                    MAX_RESULT_MATCHES),
            ConfigSection.table(
                    "query.detector",
                    "",
                    DETECTOR_FAILURE_THRESHOLD,
                    DETECTOR_SLOW_CALL,
                    DETECTOR_SLOW_CALL_MULTIPLE,
                    DETECTOR_TRIAL_BACKOFF,
                    DETECTOR_MAX_TRIAL_BACKOFF),
            ConfigSection.table(
                    "query.retry", "", RETRY_MAX_ATTEMPTS, RETRY_INITIAL_BACKOFF, RETRY_MAX_BACKOFF, RETRY_JITTER),
            ConfigSection.table(
                    "query.circuit_breaker",
                    "",
                    BREAKER_FAILURE_THRESHOLD,
                    BREAKER_RESET_TIMEOUT,
                    BREAKER_SUCCESS_THRESHOLD),
            ConfigSection.table(
                    "query.hedge",
                    "",
                    HEDGE_MODE,
                    HEDGE_DELAY,
                    HEDGE_PERCENTILE,
                    HEDGE_MIN_DELAY,
                    HEDGE_MAX_DELAY,
                    HEDGE_BUDGET_RATIO,
                    HEDGE_BUDGET_WINDOW,
                    HEDGE_MIN_SAMPLES));

    /** The keys a host embedding the module reads ({@code QueryConfig.load}). */
    public static final ConfigRegistry REGISTRY = ConfigRegistry.of(SECTIONS);
}
