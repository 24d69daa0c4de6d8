package io.engram.query.aggregation;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.aggregation.consistency.ConsistencyPolicyRegistry;
import io.engram.query.aggregation.merge.MergePolicyRegistry;
import io.engram.query.spi.QueryPlugin;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class AggregationPluginTest {
    @Test
    void isFoundByServiceLoader() {
        List<String> found = ServiceLoader.load(QueryPlugin.class).stream()
                .map(provider -> provider.type().getName())
                .toList();

        assertThat(found).contains(AggregationPlugin.class.getName());
    }

    @Test
    void bringsTheBuiltInPolicies() {
        AggregationPlugin plugin = new AggregationPlugin();

        assertThat(new MergePolicyRegistry(plugin.mergePolicies()).names()).containsExactly("max", "noisy-or");
        assertThat(new ConsistencyPolicyRegistry(plugin.consistencyPolicies()).names())
                .containsExactly("all", "best-effort", "quorum");
        assertThat(plugin.planningStrategies()).isEmpty();
        assertThat(plugin.transportFactories()).isEmpty();
    }
}
