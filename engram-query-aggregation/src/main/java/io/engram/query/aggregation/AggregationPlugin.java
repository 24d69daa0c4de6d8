package io.engram.query.aggregation;

import io.engram.query.aggregation.consistency.AllConsistency;
import io.engram.query.aggregation.consistency.BestEffortConsistency;
import io.engram.query.aggregation.consistency.QuorumConsistency;
import io.engram.query.aggregation.merge.MaxMergePolicy;
import io.engram.query.aggregation.merge.NoisyOrMergePolicy;
import io.engram.query.spi.ConsistencyPolicy;
import io.engram.query.spi.MergePolicy;
import io.engram.query.spi.QueryPlugin;
import java.util.List;

/**
 * The built-in merge policies ({@code max}, {@code noisy-or}) and consistency policies ({@code best-effort},
 * {@code quorum}, {@code all}), registered through the same ServiceLoader entry point as third-party plugins.
 */
public final class AggregationPlugin implements QueryPlugin {
    @Override
    public List<MergePolicy> mergePolicies() {
        return List.of(new MaxMergePolicy(), new NoisyOrMergePolicy());
    }

    @Override
    public List<ConsistencyPolicy> consistencyPolicies() {
        return List.of(new BestEffortConsistency(), new QuorumConsistency(), new AllConsistency());
    }
}
