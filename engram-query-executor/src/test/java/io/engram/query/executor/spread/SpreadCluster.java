package io.engram.query.executor.spread;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.aggregation.AggregationPlugin;
import io.engram.query.aggregation.consistency.ConsistencyPolicyRegistry;
import io.engram.query.aggregation.merge.MergePolicyRegistry;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.Query;
import io.engram.query.api.QueryResult;
import io.engram.query.api.Ticker;
import io.engram.query.executor.CoordinatorQueryService;
import io.engram.query.executor.QueryThreads;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.engine.EmbeddedQueryEngine;
import io.engram.query.executor.engine.EngineOptions;
import io.engram.query.executor.engine.MemoryStore;
import io.engram.query.executor.fault.FaultInjectingTransport;
import io.engram.query.executor.hedging.HedgeBudget;
import io.engram.query.executor.hedging.HedgeDelay;
import io.engram.query.executor.local.InProcessTransport;
import io.engram.query.executor.local.LocalPartitionRunner;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.resilience.NodeCallPolicy;
import io.engram.query.executor.scatter.ScatterGatherExecutor;
import io.engram.query.planner.PlannerConfig;
import io.engram.query.planner.PlannerPlugin;
import io.engram.query.planner.PlanningStrategyRegistry;
import io.engram.query.planner.QueryPlanner;
import io.engram.query.planner.embedded.ObservedPartitionDetector;
import io.engram.query.planner.embedded.StaticSpaceDirectory;
import io.engram.query.planner.replica.ReplicaSelector;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A cluster in one JVM for spread tests: every node an {@link EmbeddedQueryEngine} over its own store, reached through
 * an in-process transport behind a {@link FaultInjectingTransport}, and the real planner, executor, aggregation and
 * spread coordinator, coordinated from the first node.
 */
final class SpreadCluster implements AutoCloseable {
    final QueryThreads threads = new QueryThreads(2);
    final MetricRegistry registry = new MetricRegistry();
    final QueryMetrics metrics = new QueryMetrics(registry);
    final FaultInjectingTransport faults;
    final CoordinatorQueryService service;

    /**
     * @param stores each node's store, the first node coordinating; a space lives on the node whose store holds it
     * @param engineSpaces names the space of an edge target outside a node's store (the engine's resolver)
     * @param directorySpaces names the space of a memory for the directory
     */
    SpreadCluster(
            Map<NodeId, MemoryStore> stores,
            Function<MemoryId, Optional<MemorySpaceId>> engineSpaces,
            Function<MemoryId, Optional<MemorySpaceId>> directorySpaces,
            QueryConfig config) {
        this(stores, engineSpaces, directorySpaces, config, transport -> transport);
    }

    SpreadCluster(
            Map<NodeId, MemoryStore> stores,
            Function<MemoryId, Optional<MemorySpaceId>> engineSpaces,
            Function<MemoryId, Optional<MemorySpaceId>> directorySpaces,
            QueryConfig config,
            Function<Transport, Transport> wire) {
        List<NodeId> nodes = new ArrayList<>(stores.keySet());
        NodeId coordinator = nodes.get(0);
        Map<NodeId, LocalPartitionRunner> runners = new HashMap<>();
        List<SpaceAssignment> assignments = new ArrayList<>();
        stores.forEach((node, store) -> {
            EmbeddedQueryEngine engine = new EmbeddedQueryEngine(
                    node, store, Ticker.system(), EngineOptions.defaults().withExternalSpaces(engineSpaces));
            runners.put(node, new LocalPartitionRunner(engine, threads.compute()));
            store.spaces().forEach(space -> assignments.add(new SpaceAssignment(space, node, List.of())));
        });
        faults = new FaultInjectingTransport(wire.apply(new InProcessTransport(runners)), threads.scheduler(), 42);
        NodeCallPolicy callPolicy = new NodeCallPolicy(config, metrics);
        StaticSpaceDirectory directory = new StaticSpaceDirectory(assignments, directorySpaces);
        ObservedPartitionDetector detector = new ObservedPartitionDetector(
                nodes, coordinator, 1000, callPolicy::isOpen, Ticker.system(), Duration.ofSeconds(1));
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
                runners.get(coordinator),
                Optional.of(faults),
                threads.scheduler(),
                callPolicy,
                new HedgeDelay(config.hedge(), metrics),
                new HedgeBudget(config.hedge().budgetRatio(), config.hedge().budgetWindow(), Ticker.system()),
                selector,
                detector,
                metrics,
                new MergePolicyRegistry(aggregation.mergePolicies()),
                new ConsistencyPolicyRegistry(aggregation.consistencyPolicies()),
                config,
                Ticker.system());
        service = new CoordinatorQueryService(planner, executor, config, Ticker.system());
    }

    QueryResult run(Query query) throws Exception {
        try {
            return service.execute(query).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new AssertionError("spread did not complete within 10 s", e);
        }
    }

    @Override
    public void close() {
        threads.close();
    }
}
