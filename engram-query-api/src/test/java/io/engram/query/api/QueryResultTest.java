package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QueryResultTest {
    private static final Match MATCH = Match.of(MemoryId.of("m1"), MemorySpaceId.of("s1"), Confidence.HIGH, "c");

    @Test
    void copiesMatchesAndPartitions() {
        List<Match> matches = new ArrayList<>(List.of(MATCH));
        QueryResult result = result(matches);

        matches.clear();

        assertThat(result.matches()).containsExactly(MATCH);
        assertThatThrownBy(() -> result.partitions().add(null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsNulls() {
        Coverage c = Coverage.complete(1);
        Duration d = Duration.ZERO;
        Confidence h = Confidence.HIGH;
        PlanStrategy s = PlanStrategy.SINGLE_PARTITION;

        assertThatThrownBy(() -> new QueryResult(null, h, h, c, s, "all", d, List.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("matches is null");
        assertThatThrownBy(() -> new QueryResult(List.of(), null, h, c, s, "all", d, List.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("confidence is null");
        assertThatThrownBy(() -> new QueryResult(List.of(), h, null, c, s, "all", d, List.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("base confidence is null");
        assertThatThrownBy(() -> new QueryResult(List.of(), h, h, null, s, "all", d, List.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("coverage is null");
        assertThatThrownBy(() -> new QueryResult(List.of(), h, h, c, null, "all", d, List.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("strategy is null");
        assertThatThrownBy(() -> new QueryResult(List.of(), h, h, c, s, null, d, List.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("consistency is null");
        assertThatThrownBy(() -> new QueryResult(List.of(), h, h, c, s, "all", null, List.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("latency is null");
        assertThatThrownBy(() -> new QueryResult(List.of(), h, h, c, s, "all", d, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("partitions is null");
    }

    private static QueryResult result(List<Match> matches) {
        return new QueryResult(
                matches,
                Confidence.HIGH,
                Confidence.HIGH,
                Coverage.complete(1),
                PlanStrategy.SINGLE_PARTITION,
                "best-effort",
                Duration.ofMillis(4),
                new ArrayList<>());
    }
}
