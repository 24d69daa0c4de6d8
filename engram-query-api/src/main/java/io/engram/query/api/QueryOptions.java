package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/**
 * What every query carries besides its own parameters.
 *
 * @param limit the most matches to return, in [1, 10000]
 * @param timeout the query's own deadline, in [1 ms, 10 min]; empty means {@code query.scatter_timeout_ms}
 * @param consistency a consistency policy name; empty means the configured default ({@code best-effort})
 * @param mergePolicy a merge policy name; empty means the configured default ({@code max})
 * @param planningStrategy a planning strategy name; empty lets the planner choose by query type
 */
public record QueryOptions(
        int limit,
        Optional<Duration> timeout,
        Optional<String> consistency,
        Optional<String> mergePolicy,
        Optional<String> planningStrategy) {
    public static final int DEFAULT_LIMIT = 10;
    public static final int MAX_LIMIT = 10_000;
    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

    public QueryOptions {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be in [1, " + MAX_LIMIT + "], got " + limit);
        }
        requireNonNull(timeout, "timeout is null");
        requireNonNull(consistency, "consistency is null");
        requireNonNull(mergePolicy, "merge policy is null");
        requireNonNull(planningStrategy, "planning strategy is null");
        timeout.ifPresent(t -> {
            if (t.compareTo(Duration.ofMillis(1)) < 0 || t.compareTo(MAX_TIMEOUT) > 0) {
                throw new IllegalArgumentException("timeout must be in [1 ms, 600000 ms], got " + millis(t) + " ms");
            }
        });
        consistency.ifPresent(n -> Names.check("consistency policy", n));
        mergePolicy.ifPresent(n -> Names.check("merge policy", n));
        planningStrategy.ifPresent(n -> Names.check("planning strategy", n));
    }

    /** Exact milliseconds, without overflow for huge durations or rounding for sub-millisecond ones. */
    private static String millis(Duration d) {
        return BigDecimal.valueOf(d.getSeconds())
                .scaleByPowerOfTen(3)
                .add(BigDecimal.valueOf(d.getNano(), 6))
                .stripTrailingZeros()
                .toPlainString();
    }

    public static QueryOptions defaults() {
        return new QueryOptions(DEFAULT_LIMIT, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static QueryOptions limit(int limit) {
        return defaults().withLimit(limit);
    }

    public QueryOptions withLimit(int newLimit) {
        return new QueryOptions(newLimit, timeout, consistency, mergePolicy, planningStrategy);
    }

    public QueryOptions withTimeout(Duration newTimeout) {
        return new QueryOptions(
                limit,
                Optional.of(requireNonNull(newTimeout, "timeout is null")),
                consistency,
                mergePolicy,
                planningStrategy);
    }

    public QueryOptions withConsistency(String name) {
        return new QueryOptions(
                limit, timeout, Optional.of(Names.check("consistency policy", name)), mergePolicy, planningStrategy);
    }

    public QueryOptions withMergePolicy(String name) {
        return new QueryOptions(
                limit, timeout, consistency, Optional.of(Names.check("merge policy", name)), planningStrategy);
    }

    public QueryOptions withPlanningStrategy(String name) {
        return new QueryOptions(
                limit, timeout, consistency, mergePolicy, Optional.of(Names.check("planning strategy", name)));
    }
}
