package io.engram.query.aggregation.consistency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConsistencyPolicyRegistryTest {
    private final ConsistencyPolicyRegistry registry = new ConsistencyPolicyRegistry(
            List.of(new BestEffortConsistency(), new QuorumConsistency(), new AllConsistency()));

    @Test
    void findsPoliciesByName() {
        assertThat(registry.get("best-effort")).isInstanceOf(BestEffortConsistency.class);
        assertThat(registry.get("quorum")).isInstanceOf(QuorumConsistency.class);
        assertThat(registry.get("all")).isInstanceOf(AllConsistency.class);
        assertThat(registry.kind()).isEqualTo("consistency policy");
    }

    @Test
    void rejectsAnUnknownNameListingTheKnownOnes() {
        assertThatThrownBy(() -> registry.get("quorom"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown consistency policy 'quorom'; known: all, best-effort, quorum");
    }

    @Test
    void rejectsADuplicateName() {
        assertThatThrownBy(
                        () -> new ConsistencyPolicyRegistry(List.of(new QuorumConsistency(), new QuorumConsistency())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("consistency policy 'quorum' is already registered (by"
                        + " io.engram.query.aggregation.consistency.QuorumConsistency; again by"
                        + " io.engram.query.aggregation.consistency.QuorumConsistency)");
    }
}
