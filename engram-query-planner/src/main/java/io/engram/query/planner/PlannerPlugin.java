package io.engram.query.planner;

import io.engram.query.planner.strategy.BroadcastStrategy;
import io.engram.query.planner.strategy.MultiPartitionStrategy;
import io.engram.query.planner.strategy.SinglePartitionStrategy;
import io.engram.query.planner.strategy.SpreadSeedsStrategy;
import io.engram.query.spi.PlanningStrategy;
import io.engram.query.spi.QueryPlugin;
import java.util.List;

/**
 * Registers the built-in planning strategies ({@code single-partition}, {@code multi-partition}, {@code broadcast},
 * and {@code spread-seeds} for the first round of a distributed spread) through the same ServiceLoader door as any third-party plugin.
 */
public final class PlannerPlugin implements QueryPlugin {
    @Override
    public List<PlanningStrategy> planningStrategies() {
        return List.of(
                new SinglePartitionStrategy(),
                new MultiPartitionStrategy(),
                new BroadcastStrategy(),
                new SpreadSeedsStrategy());
    }
}
