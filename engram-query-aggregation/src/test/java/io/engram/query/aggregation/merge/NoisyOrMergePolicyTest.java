package io.engram.query.aggregation.merge;

import static io.engram.query.aggregation.merge.MaxMergePolicyTest.match;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import java.util.List;
import org.junit.jupiter.api.Test;

class NoisyOrMergePolicyTest {
    private final NoisyOrMergePolicy policy = new NoisyOrMergePolicy();

    @Test
    void combinesTwoHalvesIntoThreeQuarters() {
        Match merged = policy.merge(match("m1", "s1", 0.5, "x"), match("m1", "s2", 0.5, "x"));

        assertThat(merged.confidence()).isEqualTo(Confidence.of(0.75));
    }

    @Test
    void keepsTheSameRepresentativeWhateverTheOrder() {
        Match a = match("m1", "s1", 0.2, "from s1");
        Match b = match("m1", "s2", 0.6, "from s2");
        Match c = match("m1", "s3", 0.9, "from s3");

        Match left = policy.merge(policy.merge(a, b), c);
        Match right = policy.merge(a, policy.merge(c, b));

        assertThat(left.content()).isEqualTo("from s1").isEqualTo(right.content());
        assertThat(left.confidence().value())
                .isCloseTo(1 - 0.8 * 0.4 * 0.1, org.assertj.core.api.Assertions.within(1e-12));
        assertThat(right.confidence().value())
                .isCloseTo(left.confidence().value(), org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void certainEvidenceStaysCertain() {
        assertThat(policy.merge(match("m1", "s1", 1.0, "x"), match("m1", "s2", 0.3, "x"))
                        .confidence())
                .isEqualTo(Confidence.CERTAIN);
    }

    @Test
    void rejectsMatchesOfDifferentMemories() {
        assertThatThrownBy(() -> policy.merge(match("m1", "s1", 0.5, "x"), match("m2", "s1", 0.5, "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("only matches of the same memory can be merged, got 'm1' and 'm2'");
    }

    @Test
    void baseIsTheBestCombinedConfidence() {
        assertThat(policy.baseConfidence(List.of(match("m1", "s1", 0.75, "x"), match("m2", "s1", 0.5, "y"))))
                .isEqualTo(Confidence.of(0.75));
        assertThat(policy.baseConfidence(List.of())).isEqualTo(Confidence.NONE);
    }

    @Test
    void isNamedNoisyOr() {
        assertThat(policy.name()).isEqualTo("noisy-or");
    }
}
