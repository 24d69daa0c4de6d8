package io.engram.query.executor.spread;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.PlanStrategy;
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
import io.engram.query.executor.local.InProcessTransport;
import io.engram.query.executor.local.LocalPartitionRunner;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.resilience.NodeCallPolicy;
import io.engram.query.executor.scatter.CoordinatorAssembly;
import io.engram.query.planner.embedded.ObservedPartitionDetector;
import io.engram.query.planner.embedded.StaticSpaceDirectory;
import io.engram.query.spi.LocalQueryEngine;
import io.engram.query.spi.MergePolicy;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A cluster in one JVM for spread tests: every node an {@link EmbeddedQueryEngine} over its own store (or an engine a
 * host brings), reached through an in-process transport behind a {@link FaultInjectingTransport}, and the real planner, executor, aggregation and
 * spread and imagine coordinators, coordinated from the first node.
 */
public final class SpreadCluster implements AutoCloseable {
    public final QueryThreads threads = new QueryThreads(2);
    public final MetricRegistry registry = new MetricRegistry();
    public final QueryMetrics metrics = new QueryMetrics(registry);
    public final FaultInjectingTransport faults;
    public final CoordinatorQueryService service;

    /**
     * @param stores each node's store, the first node coordinating; a space lives on the node whose store holds it
     * @param engineSpaces names the space of an edge target outside a node's store (the engine's resolver)
     * @param directorySpaces names the space of a memory for the directory
     */
    public SpreadCluster(
            Map<NodeId, MemoryStore> stores,
            Function<MemoryId, Optional<MemorySpaceId>> engineSpaces,
            Function<MemoryId, Optional<MemorySpaceId>> directorySpaces,
            QueryConfig config) {
        this(stores, engineSpaces, directorySpaces, config, transport -> transport, List.of());
    }

    public SpreadCluster(
            Map<NodeId, MemoryStore> stores,
            Function<MemoryId, Optional<MemorySpaceId>> engineSpaces,
            Function<MemoryId, Optional<MemorySpaceId>> directorySpaces,
            QueryConfig config,
            Function<Transport, Transport> wire) {
        this(stores, engineSpaces, directorySpaces, config, wire, List.of());
    }

    public SpreadCluster(
            Map<NodeId, MemoryStore> stores,
            Function<MemoryId, Optional<MemorySpaceId>> engineSpaces,
            Function<MemoryId, Optional<MemorySpaceId>> directorySpaces,
            QueryConfig config,
            Function<Transport, Transport> wire,
            List<MergePolicy> extraMergePolicies) {
        this(embedded(stores, engineSpaces), spacesOf(stores), directorySpaces, config, wire, extraMergePolicies);
    }

    /**
     * A cluster of engines a host brings ({@link LocalQueryEngine}s of its own).
     *
     * @param engines each node's engine, the first node coordinating (iteration order)
     * @param spaces the spaces each node holds, as the directory assigns them
     * @param directorySpaces names the space of a memory for the directory
     */
    public SpreadCluster(
            Map<NodeId, ? extends LocalQueryEngine> engines,
            Map<NodeId, Set<MemorySpaceId>> spaces,
            Function<MemoryId, Optional<MemorySpaceId>> directorySpaces,
            QueryConfig config,
            Function<Transport, Transport> wire,
            List<MergePolicy> extraMergePolicies) {
        List<NodeId> nodes = new ArrayList<>(engines.keySet());
        NodeId coordinator = nodes.get(0);
        Map<NodeId, LocalPartitionRunner> runners = new HashMap<>();
        List<SpaceAssignment> assignments = new ArrayList<>();
        engines.forEach((node, engine) -> {
            runners.put(node, new LocalPartitionRunner(engine, threads.compute()));
            spaces.getOrDefault(node, Set.of())
                    .forEach(space -> assignments.add(new SpaceAssignment(space, node, List.of())));
        });
        faults = new FaultInjectingTransport(wire.apply(new InProcessTransport(runners)), threads.scheduler(), 42);
        NodeCallPolicy callPolicy = new NodeCallPolicy(config, metrics);
        StaticSpaceDirectory directory = new StaticSpaceDirectory(assignments, directorySpaces);
        ObservedPartitionDetector detector = new ObservedPartitionDetector(
                nodes, coordinator, 1000, callPolicy::isOpen, Ticker.system(), Duration.ofSeconds(1));
        service = CoordinatorAssembly.coordinator(
                coordinator,
                runners.get(coordinator),
                faults,
                directory,
                detector,
                callPolicy,
                metrics,
                threads,
                config,
                extraMergePolicies);
    }

    private static Map<NodeId, LocalQueryEngine> embedded(
            Map<NodeId, MemoryStore> stores, Function<MemoryId, Optional<MemorySpaceId>> engineSpaces) {
        Map<NodeId, LocalQueryEngine> engines = new LinkedHashMap<>();
        stores.forEach((node, store) -> engines.put(
                node,
                new EmbeddedQueryEngine(
                        node, store, Ticker.system(), EngineOptions.defaults().withExternalSpaces(engineSpaces))));
        return engines;
    }

    private static Map<NodeId, Set<MemorySpaceId>> spacesOf(Map<NodeId, MemoryStore> stores) {
        Map<NodeId, Set<MemorySpaceId>> spaces = new LinkedHashMap<>();
        stores.forEach((node, store) -> spaces.put(node, store.spaces()));
        return spaces;
    }

    /** Client queries counted as started, over every strategy. */
    public long clientQueriesStarted() {
        return Arrays.stream(PlanStrategy.values())
                .mapToLong(metrics::scatterCount)
                .sum();
    }

    /** Client queries counted as finished (latency observations), over every strategy. */
    public long clientQueriesFinished() {
        return Arrays.stream(PlanStrategy.values())
                .mapToLong(s -> metrics.latency(s).getCount())
                .sum();
    }

    public QueryResult run(Query query) throws Exception {
        return CoordinatorAssembly.await(service.execute(query));
    }

    @Override
    public void close() {
        threads.close();
    }
}
