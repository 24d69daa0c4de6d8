package io.engram.query.executor.scatter;

import io.engram.query.aggregation.AggregationPlugin;
import io.engram.query.aggregation.consistency.ConsistencyPolicyRegistry;
import io.engram.query.aggregation.merge.MergePolicyRegistry;
import io.engram.query.api.NodeId;
import io.engram.query.api.QueryResult;
import io.engram.query.api.Ticker;
import io.engram.query.executor.CoordinatorQueryService;
import io.engram.query.executor.QueryThreads;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.hedging.HedgeBudget;
import io.engram.query.executor.hedging.HedgeDelay;
import io.engram.query.executor.local.LocalPartitionRunner;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.resilience.NodeCallPolicy;
import io.engram.query.planner.PlannerConfig;
import io.engram.query.planner.PlannerPlugin;
import io.engram.query.planner.PlanningStrategyRegistry;
import io.engram.query.planner.QueryPlanner;
import io.engram.query.planner.replica.ReplicaSelector;
import io.engram.query.spi.MergePolicy;
import io.engram.query.spi.PartitionDetector;
import io.engram.query.spi.SpaceDirectory;
import io.engram.query.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Assembles a coordinator by hand (the real planner, executor and aggregation, without Guice) for the in-JVM cluster
 * fixtures, which need to reach inside (the call policy, the fault-injecting transport, a tolerant detector).
 */
public final class CoordinatorAssembly {
    private CoordinatorAssembly() {}

    public static CoordinatorQueryService coordinator(
            NodeId coordinator,
            LocalPartitionRunner local,
            Transport transport,
            SpaceDirectory directory,
            PartitionDetector detector,
            NodeCallPolicy callPolicy,
            QueryMetrics metrics,
            QueryThreads threads,
            QueryConfig config) {
        return coordinator(
                coordinator, local, transport, directory, detector, callPolicy, metrics, threads, config, List.of());
    }

    /** As above, with merge policies a third party brings beside the built-in ones. */
    public static CoordinatorQueryService coordinator(
            NodeId coordinator,
            LocalPartitionRunner local,
            Transport transport,
            SpaceDirectory directory,
            PartitionDetector detector,
            NodeCallPolicy callPolicy,
            QueryMetrics metrics,
            QueryThreads threads,
            QueryConfig config,
            List<MergePolicy> extraMergePolicies) {
        List<MergePolicy> mergePolicies = new ArrayList<>(new AggregationPlugin().mergePolicies());
        mergePolicies.addAll(extraMergePolicies);
        ReplicaSelector selector = new ReplicaSelector();
        QueryPlanner planner = new QueryPlanner(
                coordinator,
                directory,
                detector,
                callPolicy::isOpen,
                selector,
                new PlanningStrategyRegistry(new PlannerPlugin().planningStrategies()),
                new PlannerConfig(config.maxFanout(), config.maxSpaces(), config.defaultPlanningStrategy()));
        AggregationPlugin aggregation = new AggregationPlugin();
        ScatterGatherExecutor executor = new ScatterGatherExecutor(
                coordinator,
                local,
                Optional.of(transport),
                threads.scheduler(),
                callPolicy,
                new HedgeDelay(config.hedge(), metrics, Ticker.system()),
                new HedgeBudget(config.hedge().budgetRatio(), config.hedge().budgetWindow(), Ticker.system()),
                selector,
                detector,
                metrics,
                new MergePolicyRegistry(mergePolicies),
                new ConsistencyPolicyRegistry(aggregation.consistencyPolicies()),
                config,
                Ticker.system());
        return new CoordinatorQueryService(planner, executor, config, Ticker.system());
    }

    /** The answer within 10 s; a failed query rethrows its cause. */
    public static QueryResult await(CompletableFuture<QueryResult> answer) throws Exception {
        try {
            return answer.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new AssertionError("query did not complete within 10 s", e);
        }
    }
}
