package io.engram.query.aggregation.consistency;

import io.engram.query.spi.ConsistencyPolicy;
import io.engram.query.spi.NamedRegistry;
import java.util.Collection;

/** The consistency policies a query may name in {@code consistency}, keyed by name. */
public final class ConsistencyPolicyRegistry extends NamedRegistry<ConsistencyPolicy> {
    public static final String KIND = "consistency policy";

    public ConsistencyPolicyRegistry(Collection<? extends ConsistencyPolicy> policies) {
        super(KIND, policies);
    }
}
