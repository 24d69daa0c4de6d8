package io.engram.query.aggregation.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MergePolicyRegistryTest {
    @Test
    void findsPoliciesByName() {
        MergePolicyRegistry registry = new MergePolicyRegistry(List.of(new MaxMergePolicy(), new NoisyOrMergePolicy()));

        assertThat(registry.get("max")).isInstanceOf(MaxMergePolicy.class);
        assertThat(registry.get("noisy-or")).isInstanceOf(NoisyOrMergePolicy.class);
        assertThat(registry.kind()).isEqualTo("merge policy");
    }

    @Test
    void rejectsADuplicateName() {
        assertThatThrownBy(() -> new MergePolicyRegistry(List.of(new MaxMergePolicy(), new MaxMergePolicy())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("merge policy 'max' is already registered (by"
                        + " io.engram.query.aggregation.merge.MaxMergePolicy; again by"
                        + " io.engram.query.aggregation.merge.MaxMergePolicy)");
    }

    @Test
    void rejectsAnUnknownNameListingTheKnownOnes() {
        MergePolicyRegistry registry = new MergePolicyRegistry(List.of(new NoisyOrMergePolicy(), new MaxMergePolicy()));

        assertThatThrownBy(() -> registry.get("maximum"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown merge policy 'maximum'; known: max, noisy-or");
    }
}
