package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueryOptionsTest {
    @Test
    void defaultsToTenMatchesAndNoOverrides() {
        QueryOptions options = QueryOptions.defaults();

        assertThat(options.limit()).isEqualTo(10);
        assertThat(options.timeout()).isEmpty();
        assertThat(options.consistency()).isEmpty();
        assertThat(options.mergePolicy()).isEmpty();
        assertThat(options.planningStrategy()).isEmpty();
    }

    @Test
    void withersReplaceOneFieldAndKeepTheOthers() {
        QueryOptions options = QueryOptions.limit(5)
                .withTimeout(Duration.ofSeconds(2))
                .withConsistency("quorum")
                .withMergePolicy("max")
                .withPlanningStrategy("broadcast")
                .withLimit(7);

        assertThat(options)
                .isEqualTo(new QueryOptions(
                        7,
                        Optional.of(Duration.ofSeconds(2)),
                        Optional.of("quorum"),
                        Optional.of("max"),
                        Optional.of("broadcast")));
    }

    @Test
    void acceptsTheLimitBounds() {
        assertThat(QueryOptions.limit(1).limit()).isEqualTo(1);
        assertThat(QueryOptions.limit(QueryOptions.MAX_LIMIT).limit()).isEqualTo(10_000);
    }

    @Test
    void rejectsALimitOutOfRange() {
        assertThatThrownBy(() -> QueryOptions.limit(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be in [1, 10000], got 0");
        assertThatThrownBy(() -> QueryOptions.limit(10_001))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be in [1, 10000], got 10001");
        assertThatThrownBy(() -> QueryOptions.limit(-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("limit must be in [1, 10000], got -5");
    }

    @Test
    void acceptsTheTimeoutBounds() {
        assertThat(QueryOptions.defaults().withTimeout(Duration.ofMillis(1)).timeout())
                .contains(Duration.ofMillis(1));
        assertThat(QueryOptions.defaults().withTimeout(Duration.ofMinutes(10)).timeout())
                .contains(QueryOptions.MAX_TIMEOUT);
    }

    @Test
    void rejectsATimeoutOutOfRange() {
        QueryOptions options = QueryOptions.defaults();

        assertThatThrownBy(() -> options.withTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be in [1 ms, 600000 ms], got 0 ms");
        assertThatThrownBy(() -> options.withTimeout(Duration.ofMillis(-20)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be in [1 ms, 600000 ms], got -20 ms");
        assertThatThrownBy(() -> options.withTimeout(Duration.ofMinutes(10).plusMillis(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be in [1 ms, 600000 ms], got 600001 ms");
    }

    @Test
    void rendersASubMillisecondTimeoutExactly() {
        assertThatThrownBy(() -> QueryOptions.defaults().withTimeout(Duration.ofNanos(500_000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be in [1 ms, 600000 ms], got 0.5 ms");
    }

    @Test
    void rejectsAHugeTimeoutWithoutOverflow() {
        assertThatThrownBy(() -> QueryOptions.defaults().withTimeout(Duration.ofSeconds(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be in [1 ms, 600000 ms], got 9223372036854775807000 ms");
    }

    @Test
    void rejectsBadPolicyAndStrategyNames() {
        QueryOptions options = QueryOptions.defaults();

        assertThatThrownBy(() -> options.withConsistency("Quorum"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("consistency policy name must match [a-z][a-z0-9-]* (at most 64 characters), got 'Quorum'");
        assertThatThrownBy(() -> options.withMergePolicy("1st"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("merge policy name must match [a-z][a-z0-9-]* (at most 64 characters), got '1st'");
        assertThatThrownBy(() -> options.withPlanningStrategy("fan_out"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("planning strategy name must match [a-z][a-z0-9-]* (at most 64 characters), got 'fan_out'");
        assertThatThrownBy(() -> options.withConsistency(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("consistency policy name must match [a-z][a-z0-9-]* (at most 64 characters), got ''");
        assertThatThrownBy(() -> options.withMergePolicy("m".repeat(65)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("merge policy name must match [a-z][a-z0-9-]* (at most 64 characters), got '"
                        + "m".repeat(64) + "...'");
    }

    @Test
    void rejectsBadNamesPassedToTheConstructor() {
        assertThatThrownBy(() -> new QueryOptions(
                        10, Optional.empty(), Optional.of("all\n"), Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "consistency policy name must match [a-z][a-z0-9-]* (at most 64 characters), got 'all\\u000a'");
    }

    @Test
    void rejectsNullNamesAndTimeout() {
        QueryOptions options = QueryOptions.defaults();

        assertThatThrownBy(() -> options.withConsistency(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("consistency policy name is null");
        assertThatThrownBy(() -> options.withMergePolicy(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("merge policy name is null");
        assertThatThrownBy(() -> options.withPlanningStrategy(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("planning strategy name is null");
        assertThatThrownBy(() -> options.withTimeout(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timeout is null");
    }

    @Test
    void rejectsNullOptionals() {
        assertThatThrownBy(() -> new QueryOptions(10, null, Optional.empty(), Optional.empty(), Optional.empty()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timeout is null");
        assertThatThrownBy(() -> new QueryOptions(10, Optional.empty(), null, Optional.empty(), Optional.empty()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("consistency is null");
        assertThatThrownBy(() -> new QueryOptions(10, Optional.empty(), Optional.empty(), null, Optional.empty()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("merge policy is null");
        assertThatThrownBy(() -> new QueryOptions(10, Optional.empty(), Optional.empty(), Optional.empty(), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("planning strategy is null");
    }
}
