package io.engram.query.executor.config;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Names;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code [query]} section: how queries are planned, scattered, retried, hedged and judged. Every key has a
 * default; {@code config/default.toml} documents them all.
 *
 * @param scatterTimeout {@code query.scatter_timeout_ms}: the deadline of a query that sets none
 * @param partialConfidencePenalty {@code query.partial_confidence_penalty}: λ in {@code final = base × (1 − λ × (1 −
 *     coverage))}
 * @param maxFanout {@code query.max_fanout}: exchanges in flight at once per query (a node request counts once)
 * @param maxSpaces {@code query.max_spaces}: the most spaces one query may name
 * @param defaultConsistency {@code query.default_consistency}
 * @param defaultMergePolicy {@code query.default_merge_policy}
 * @param defaultPlanningStrategy {@code query.default_planning_strategy}: empty lets the planner choose by query type
 * @param computeThreads {@code query.compute_threads}: threads running local partitions (0 = one per core)
 * @param maxTimeout {@code query.max_timeout_ms}: the longest deadline a query may ask for; a longer {@code timeout_ms}
 *     is rejected
 * @param maxQueuedPartitions {@code query.max_queued_partitions}: partition runs that may wait for a compute thread on
 *     this node; one more is refused at once as overloaded (0 = 1000)
 * @param maxResultMatches {@code query.max_result_matches}: the most matches one query may gather from all its
 *     partitions ({@code limit} × partitions); a query asking for more is rejected before it is sent
 * @param detector {@code query.detector.*}
 * @param retry {@code query.retry.*}
 * @param circuitBreaker {@code query.circuit_breaker.*}
 * @param hedge {@code query.hedge.*}
 */
public record QueryConfig(
        Duration scatterTimeout,
        double partialConfidencePenalty,
        int maxFanout,
        int maxSpaces,
        String defaultConsistency,
        String defaultMergePolicy,
        Optional<String> defaultPlanningStrategy,
        int computeThreads,
        Duration maxTimeout,
        int maxQueuedPartitions,
        int maxResultMatches,
        DetectorConfig detector,
        RetryConfig retry,
        CircuitBreakerConfig circuitBreaker,
        HedgeConfig hedge) {
    /** {@code query.max_queued_partitions} when it is 0. */
    public static final int DEFAULT_MAX_QUEUED_PARTITIONS = 1000;

    public QueryConfig {
        QueryKeys.SCATTER_TIMEOUT.check(requireNonNull(scatterTimeout, "scatter timeout is null"));
        QueryKeys.PARTIAL_CONFIDENCE_PENALTY.check(partialConfidencePenalty);
        QueryKeys.MAX_FANOUT.check(maxFanout);
        QueryKeys.MAX_SPACES.check(maxSpaces);
        QueryKeys.COMPUTE_THREADS.check(computeThreads);
        QueryKeys.MAX_QUEUED_PARTITIONS.check(maxQueuedPartitions);
        QueryKeys.MAX_RESULT_MATCHES.check(maxResultMatches);
        Names.check("consistency policy", defaultConsistency);
        Names.check("merge policy", defaultMergePolicy);
        requireNonNull(defaultPlanningStrategy, "default planning strategy is null")
                .ifPresent(n -> Names.check("planning strategy", n));
        QueryKeys.MAX_TIMEOUT.check(requireNonNull(maxTimeout, "max timeout is null"));
        requireNonNull(detector, "detector is null");
        requireNonNull(retry, "retry is null");
        requireNonNull(circuitBreaker, "circuit breaker is null");
        requireNonNull(hedge, "hedge is null");
    }

    /** Every key at its default. */
    public static QueryConfig defaults() {
        ConfigReader reader = ConfigReader.empty();
        QueryConfig config = read(reader);
        reader.finish();
        return config;
    }

    /** Loads a file holding only query settings; unknown keys are errors. */
    public static QueryConfig load(Path file) {
        ConfigReader reader = ConfigReader.fromFile(file).withProcessOverrides();
        QueryConfig config = read(reader);
        reader.finish();
        return config;
    }

    /** Parses TOML holding only query settings; unknown keys are errors. */
    public static QueryConfig fromToml(String toml) {
        ConfigReader reader = ConfigReader.fromToml(toml, "configuration");
        QueryConfig config = read(reader);
        reader.finish();
        return config;
    }

    /**
     * Reads the {@code query.*} keys; problems are collected in {@code reader} and reported by its
     * {@link ConfigReader#finish()}.
     */
    public static QueryConfig read(ConfigReader r) {
        Duration scatterTimeout = r.get(QueryKeys.SCATTER_TIMEOUT);
        double penalty = r.get(QueryKeys.PARTIAL_CONFIDENCE_PENALTY);
        int maxFanout = r.get(QueryKeys.MAX_FANOUT);
        int maxSpaces = r.get(QueryKeys.MAX_SPACES);
        String consistency = name(r, QueryKeys.DEFAULT_CONSISTENCY);
        String merge = name(r, QueryKeys.DEFAULT_MERGE_POLICY);
        String strategy = r.get(QueryKeys.DEFAULT_PLANNING_STRATEGY);
        Optional<String> defaultStrategy = Optional.empty();
        if (!strategy.isEmpty()) {
            defaultStrategy =
                    Optional.of(checkedName(r, QueryKeys.DEFAULT_PLANNING_STRATEGY.name(), strategy, "by-type"));
        }
        int computeThreads = r.get(QueryKeys.COMPUTE_THREADS);
        Duration maxTimeout = r.get(QueryKeys.MAX_TIMEOUT);
        if (maxTimeout.compareTo(scatterTimeout) < 0) {
            r.problem("query.max_timeout_ms (" + maxTimeout.toMillis() + ") must be >= query.scatter_timeout_ms ("
                    + scatterTimeout.toMillis() + ")");
        }
        int maxQueuedPartitions = r.get(QueryKeys.MAX_QUEUED_PARTITIONS);
        int maxResultMatches = r.get(QueryKeys.MAX_RESULT_MATCHES);
        DetectorConfig detector = new DetectorConfig(
                r.get(QueryKeys.DETECTOR_FAILURE_THRESHOLD),
                r.get(QueryKeys.DETECTOR_SLOW_CALL),
                r.get(QueryKeys.DETECTOR_SLOW_CALL_MULTIPLE),
                r.get(QueryKeys.DETECTOR_TRIAL_BACKOFF),
                r.get(QueryKeys.DETECTOR_MAX_TRIAL_BACKOFF));
        if (detector.maxTrialBackoff().compareTo(detector.trialBackoff()) < 0) {
            r.problem("query.detector.max_trial_backoff_ms ("
                    + detector.maxTrialBackoff().toMillis()
                    + ") must be >= query.detector.trial_backoff_ms ("
                    + detector.trialBackoff().toMillis() + ")");
        }

        RetryConfig retry = new RetryConfig(
                r.get(QueryKeys.RETRY_MAX_ATTEMPTS),
                r.get(QueryKeys.RETRY_INITIAL_BACKOFF),
                r.get(QueryKeys.RETRY_MAX_BACKOFF),
                r.get(QueryKeys.RETRY_JITTER));
        if (retry.maxBackoff().compareTo(retry.initialBackoff()) < 0) {
            r.problem("query.retry.max_backoff_ms (" + retry.maxBackoff().toMillis()
                    + ") must be >= query.retry.initial_backoff_ms ("
                    + retry.initialBackoff().toMillis() + ")");
        }
        CircuitBreakerConfig breaker = new CircuitBreakerConfig(
                r.get(QueryKeys.BREAKER_FAILURE_THRESHOLD),
                r.get(QueryKeys.BREAKER_RESET_TIMEOUT),
                r.get(QueryKeys.BREAKER_SUCCESS_THRESHOLD));
        HedgeConfig hedge = new HedgeConfig(
                HedgeConfig.Mode.parse(r.get(QueryKeys.HEDGE_MODE)),
                r.get(QueryKeys.HEDGE_DELAY),
                r.get(QueryKeys.HEDGE_PERCENTILE),
                r.get(QueryKeys.HEDGE_MIN_DELAY),
                r.get(QueryKeys.HEDGE_MAX_DELAY),
                r.get(QueryKeys.HEDGE_BUDGET_RATIO),
                r.get(QueryKeys.HEDGE_BUDGET_WINDOW),
                r.get(QueryKeys.HEDGE_MIN_SAMPLES));
        if (hedge.maxDelay().compareTo(hedge.minDelay()) < 0) {
            r.problem("query.hedge.max_delay_ms (" + hedge.maxDelay().toMillis()
                    + ") must be >= query.hedge.min_delay_ms ("
                    + hedge.minDelay().toMillis() + ")");
        }
        return new QueryConfig(
                scatterTimeout,
                penalty,
                maxFanout,
                maxSpaces,
                consistency,
                merge,
                defaultStrategy,
                computeThreads,
                maxTimeout,
                maxQueuedPartitions,
                maxResultMatches,
                detector,
                retry,
                breaker,
                hedge);
    }

    private static String name(ConfigReader r, io.engram.query.spi.config.ConfigKey<String> key) {
        return checkedName(r, key.name(), r.get(key), key.defaultOrThrow());
    }

    private static String checkedName(ConfigReader r, String key, String value, String fallback) {
        try {
            return Names.check(key, value);
        } catch (IllegalArgumentException e) {
            r.problem(e.getMessage());
            return fallback;
        }
    }

    /** Threads for local partitions: the configured count, or one per core. */
    public int effectiveComputeThreads() {
        return computeThreads > 0 ? computeThreads : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Partition runs allowed to wait for a compute thread: the configured count, or {@value #DEFAULT_MAX_QUEUED_PARTITIONS}
     * (Elasticsearch's search queue size). The default must stay well above what the node's own admitted queries queue
     * ({@code http.max_concurrent_queries} × the spaces it holds): 32 per compute thread refused the partitions of
     * admitted queries on a healthy node holding 6 spaces at 16 clients, answering them partial.
     */
    public int effectiveMaxQueuedPartitions() {
        return maxQueuedPartitions > 0 ? maxQueuedPartitions : DEFAULT_MAX_QUEUED_PARTITIONS;
    }

    /**
     * {@code query.detector.*}: when a call's failure counts against its node, and how a node marked down is tried
     * again.
     *
     * @param failureThreshold consecutive failures after which the embedded partition detector marks a node
     *     unreachable
     * @param slowCallFloor a call cut short by a deadline or a timeout counts against its node only when it had run at
     *     least this long ...
     * @param slowCallMultiple ... and at least this multiple of the node's observed 99th percentile latency
     * @param trialBackoff how long a node marked down waits before one trial call is let through (half-open)
     * @param maxTrialBackoff the backoff doubles after each failed trial, up to this
     */
    public record DetectorConfig(
            int failureThreshold,
            Duration slowCallFloor,
            double slowCallMultiple,
            Duration trialBackoff,
            Duration maxTrialBackoff) {
        public DetectorConfig {
            QueryKeys.DETECTOR_FAILURE_THRESHOLD.check(failureThreshold);
            QueryKeys.DETECTOR_SLOW_CALL.check(requireNonNull(slowCallFloor, "slow call floor is null"));
            QueryKeys.DETECTOR_SLOW_CALL_MULTIPLE.check(slowCallMultiple);
            QueryKeys.DETECTOR_TRIAL_BACKOFF.check(requireNonNull(trialBackoff, "trial backoff is null"));
            QueryKeys.DETECTOR_MAX_TRIAL_BACKOFF.check(requireNonNull(maxTrialBackoff, "max trial backoff is null"));
        }
    }

    /**
     * {@code query.retry.*}: retries of retryable failures (connection refused or reset, overload, 5xx) on the same
     * copy, with exponential backoff and jitter, never past the deadline.
     */
    public record RetryConfig(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter) {
        public RetryConfig {
            QueryKeys.RETRY_MAX_ATTEMPTS.check(maxAttempts);
            QueryKeys.RETRY_INITIAL_BACKOFF.check(requireNonNull(initialBackoff, "initial backoff is null"));
            QueryKeys.RETRY_MAX_BACKOFF.check(requireNonNull(maxBackoff, "max backoff is null"));
            QueryKeys.RETRY_JITTER.check(jitter);
        }
    }

    /** {@code query.circuit_breaker.*}: one breaker per node. */
    public record CircuitBreakerConfig(int failureThreshold, Duration resetTimeout, int successThreshold) {
        public CircuitBreakerConfig {
            QueryKeys.BREAKER_FAILURE_THRESHOLD.check(failureThreshold);
            QueryKeys.BREAKER_RESET_TIMEOUT.check(requireNonNull(resetTimeout, "reset timeout is null"));
            QueryKeys.BREAKER_SUCCESS_THRESHOLD.check(successThreshold);
        }
    }

    /**
     * {@code query.hedge.*}: when the first copy has not answered after the hedge delay, the same request goes to the
     * next copy; the first answer wins.
     *
     * @param mode {@code adaptive} (a percentile of the node's observed latency, clamped to [min, max]), {@code fixed}
     *     ({@code delay_ms}) or {@code off}
     * @param fixedDelay the delay in {@code fixed} mode, and in {@code adaptive} mode until {@code min_samples} calls
     *     were observed
     * @param percentile the latency percentile used in {@code adaptive} mode
     * @param minDelay floor of the adaptive delay
     * @param maxDelay ceiling of the adaptive delay
     * @param budgetRatio the most hedged requests as a share of partition requests over the window
     * @param budgetWindow the sliding window of the budget
     * @param minSamples observed calls before the adaptive delay is trusted
     */
    public record HedgeConfig(
            Mode mode,
            Duration fixedDelay,
            double percentile,
            Duration minDelay,
            Duration maxDelay,
            double budgetRatio,
            Duration budgetWindow,
            int minSamples) {
        public HedgeConfig {
            requireNonNull(mode, "mode is null");
            QueryKeys.HEDGE_DELAY.check(requireNonNull(fixedDelay, "fixed delay is null"));
            QueryKeys.HEDGE_PERCENTILE.check(percentile);
            QueryKeys.HEDGE_MIN_DELAY.check(requireNonNull(minDelay, "min delay is null"));
            QueryKeys.HEDGE_MAX_DELAY.check(requireNonNull(maxDelay, "max delay is null"));
            QueryKeys.HEDGE_BUDGET_RATIO.check(budgetRatio);
            QueryKeys.HEDGE_BUDGET_WINDOW.check(requireNonNull(budgetWindow, "budget window is null"));
            QueryKeys.HEDGE_MIN_SAMPLES.check(minSamples);
        }

        public enum Mode {
            ADAPTIVE,
            FIXED,
            OFF;

            static Mode parse(String text) {
                return valueOf(text.toUpperCase(java.util.Locale.ROOT));
            }
        }
    }
}
