package io.engram.query.executor.scatter;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.aggregation.AggregationPlugin;
import io.engram.query.aggregation.consistency.ConsistencyPolicyRegistry;
import io.engram.query.aggregation.merge.MergePolicyRegistry;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.Query;
import io.engram.query.api.QueryResult;
import io.engram.query.api.Ticker;
import io.engram.query.executor.CoordinatorQueryService;
import io.engram.query.executor.QueryThreads;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.fault.FaultInjectingTransport;
import io.engram.query.executor.hedging.HedgeBudget;
import io.engram.query.executor.hedging.HedgeDelay;
import io.engram.query.executor.local.InProcessTransport;
import io.engram.query.executor.local.LocalPartitionRunner;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.resilience.NodeCallPolicy;
import io.engram.query.planner.PlannerConfig;
import io.engram.query.planner.PlannerPlugin;
import io.engram.query.planner.PlanningStrategyRegistry;
import io.engram.query.planner.QueryPlanner;
import io.engram.query.planner.embedded.ObservedPartitionDetector;
import io.engram.query.planner.embedded.StaticSpaceDirectory;
import io.engram.query.planner.replica.ReplicaSelector;
import io.engram.query.spi.SpaceAssignment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A cluster in one JVM: nodes {@code n1..nN} with {@link FixedEngine}s, an in-process transport behind a
 * {@link FaultInjectingTransport}, and the real planner, executor and aggregation, coordinated from node
 * {@code coordinator} which holds no space.
 */
final class ExecutorFixture implements AutoCloseable {
    static final NodeId COORDINATOR = NodeId.of("coordinator");

    final QueryThreads threads = new QueryThreads(2);
    final MetricRegistry registry = new MetricRegistry();
    final QueryMetrics metrics = new QueryMetrics(registry);
    final FaultInjectingTransport faults;
    final CoordinatorQueryService service;
    final NodeCallPolicy callPolicy;

    /** @param assignments space to its copies, primary first */
    ExecutorFixture(Map<String, List<String>> assignments, QueryConfig config) {
        Map<NodeId, Set<MemorySpaceId>> held = new LinkedHashMap<>();
        List<SpaceAssignment> directoryEntries = new ArrayList<>();
        assignments.forEach((space, copies) -> {
            List<NodeId> nodes = copies.stream().map(NodeId::of).toList();
            for (NodeId n : nodes) {
                held.computeIfAbsent(n, k -> new HashSet<>()).add(MemorySpaceId.of(space));
            }
            directoryEntries.add(
                    new SpaceAssignment(MemorySpaceId.of(space), nodes.get(0), nodes.subList(1, nodes.size())));
        });
        Map<NodeId, LocalPartitionRunner> runners = new HashMap<>();
        held.forEach((node, spaces) ->
                runners.put(node, new LocalPartitionRunner(new FixedEngine(node, spaces), threads.compute())));
        faults = new FaultInjectingTransport(new InProcessTransport(runners), threads.scheduler(), 42);
        callPolicy = new NodeCallPolicy(config, metrics);
        StaticSpaceDirectory directory = new StaticSpaceDirectory(directoryEntries);
        List<NodeId> allNodes = new ArrayList<>(held.keySet());
        allNodes.add(COORDINATOR);
        ObservedPartitionDetector detector = new ObservedPartitionDetector(
                allNodes, COORDINATOR, 1000, callPolicy::isOpen, Ticker.system(), Duration.ofSeconds(1));
        ReplicaSelector selector = new ReplicaSelector();
        QueryPlanner planner = new QueryPlanner(
                COORDINATOR,
                directory,
                detector,
                callPolicy::isOpen,
                selector,
                new PlanningStrategyRegistry(new PlannerPlugin().planningStrategies()),
                new PlannerConfig(config.maxFanout(), config.maxSpaces(), config.defaultPlanningStrategy()));
        AggregationPlugin aggregation = new AggregationPlugin();
        ScatterGatherExecutor executor = new ScatterGatherExecutor(
                COORDINATOR,
                new LocalPartitionRunner(new FixedEngine(COORDINATOR, Set.of()), threads.compute()),
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

    /** One space per node: s1 on n1 ... sN on nN. */
    static Map<String, List<String>> onePerNode(int spaces) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 1; i <= spaces; i++) {
            out.put("s" + i, List.of("n" + i));
        }
        return out;
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
            throw new AssertionError("query did not complete within 10 s", e);
        }
    }

    @Override
    public void close() {
        threads.close();
    }
}
