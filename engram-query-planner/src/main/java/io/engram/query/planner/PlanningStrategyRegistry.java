package io.engram.query.planner;

import io.engram.query.spi.NamedRegistry;
import io.engram.query.spi.PlanningStrategy;
import java.util.Collection;

/**
 * Every planning strategy known to this node (the built-ins from {@link PlannerPlugin} and any a host plugin adds),
 * keyed by name. A duplicate name fails construction; an unknown name fails lookup listing the known ones.
 */
public class PlanningStrategyRegistry extends NamedRegistry<PlanningStrategy> {
    public static final String KIND = "planning strategy";

    public PlanningStrategyRegistry(Collection<? extends PlanningStrategy> strategies) {
        super(KIND, strategies);
    }
}
