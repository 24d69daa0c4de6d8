package io.engram.query.aggregation.merge;

import io.engram.query.spi.MergePolicy;
import io.engram.query.spi.NamedRegistry;
import java.util.Collection;

/** The merge policies a query may name in {@code mergePolicy}, keyed by name. */
public final class MergePolicyRegistry extends NamedRegistry<MergePolicy> {
    public static final String KIND = "merge policy";

    public MergePolicyRegistry(Collection<? extends MergePolicy> policies) {
        super(KIND, policies);
    }
}
