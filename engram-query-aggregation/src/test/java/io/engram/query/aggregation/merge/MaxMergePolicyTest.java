package io.engram.query.aggregation.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaxMergePolicyTest {
    private final MaxMergePolicy policy = new MaxMergePolicy();

    @Test
    void keepsTheHighestConfidence() {
        Match low = match("m1", "s1", 0.4, "low");
        Match high = match("m1", "s2", 0.9, "high");

        assertThat(policy.merge(low, high)).isEqualTo(high);
        assertThat(policy.merge(high, low)).isEqualTo(high);
    }

    @Test
    void breaksTiesTheSameWayInEitherOrder() {
        Match a = match("m1", "s1", 0.5, "b-content");
        Match b = match("m1", "s2", 0.5, "a-content");

        assertThat(policy.merge(a, b)).isEqualTo(a).isEqualTo(policy.merge(b, a));
    }

    @Test
    void rejectsMatchesOfDifferentMemories() {
        assertThatThrownBy(() -> policy.merge(match("m1", "s1", 0.5, "x"), match("m2", "s1", 0.5, "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("only matches of the same memory can be merged, got 'm1' and 'm2'");
    }

    @Test
    void baseIsTheBestMatchsConfidence() {
        assertThat(policy.baseConfidence(List.of(match("m1", "s1", 0.7, "x"), match("m2", "s1", 0.3, "y"))))
                .isEqualTo(Confidence.of(0.7));
    }

    @Test
    void baseOfAnEmptyAnswerIsNone() {
        assertThat(policy.baseConfidence(List.of())).isEqualTo(Confidence.NONE);
    }

    @Test
    void isNamedMax() {
        assertThat(policy.name()).isEqualTo("max");
    }

    static Match match(String id, String space, double confidence, String content) {
        return Match.of(MemoryId.of(id), MemorySpaceId.of(space), Confidence.of(confidence), content);
    }
}
