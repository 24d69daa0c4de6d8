package io.engram.query.executor.scatter;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.api.Confidence;
import io.engram.query.api.Cue;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.Query;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryResult;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.Ticker;
import io.engram.query.executor.CoordinatorQueryService;
import io.engram.query.executor.QueryThreads;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.fault.FaultInjectingTransport;
import io.engram.query.executor.local.InProcessTransport;
import io.engram.query.executor.local.LocalPartitionRunner;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.resilience.NodeCallPolicy;
import io.engram.query.planner.embedded.ObservedPartitionDetector;
import io.engram.query.planner.embedded.StaticSpaceDirectory;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

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
    final ObservedPartitionDetector detector;

    /** @param assignments space to its copies, primary first */
    ExecutorFixture(Map<String, List<String>> assignments, QueryConfig config) {
        this(assignments, config, 1000, Ticker.system());
    }

    /**
     * With the embedded detector a host gets by default: {@code detectorThreshold} failures mark a node down, and its
     * trial backoff runs on {@code detectorTicker} (a fake clock in tests).
     */
    ExecutorFixture(
            Map<String, List<String>> assignments, QueryConfig config, int detectorThreshold, Ticker detectorTicker) {
        this(assignments, config, detectorThreshold, detectorTicker, UnaryOperator.identity());
    }

    /** With the coordinator's transport wrapped by {@code wrap} (a peer that answers wrongly, say). */
    ExecutorFixture(Map<String, List<String>> assignments, QueryConfig config, UnaryOperator<Transport> wrap) {
        this(assignments, config, 1000, Ticker.system(), wrap);
    }

    private ExecutorFixture(
            Map<String, List<String>> assignments,
            QueryConfig config,
            int detectorThreshold,
            Ticker detectorTicker,
            UnaryOperator<Transport> wrap) {
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
        detector = new ObservedPartitionDetector(
                allNodes,
                COORDINATOR,
                detectorThreshold,
                callPolicy::isOpen,
                detectorTicker,
                Duration.ofSeconds(1),
                config.detector().trialBackoff(),
                config.detector().maxTrialBackoff());
        service = CoordinatorAssembly.coordinator(
                COORDINATOR,
                new LocalPartitionRunner(new FixedEngine(COORDINATOR, Set.of()), threads.compute()),
                wrap.apply(faults),
                directory,
                detector,
                callPolicy,
                metrics,
                threads,
                config);
    }

    /** One space per node: s1 on n1 ... sN on nN. */
    static Map<String, List<String>> onePerNode(int spaces) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 1; i <= spaces; i++) {
            out.put("s" + i, List.of("n" + i));
        }
        return out;
    }

    /** A recall over every space (none named), top 20, 5 s to answer. */
    static RecallQuery broadcast() {
        return new RecallQuery(
                List.of(),
                Cue.of("anything"),
                Confidence.NONE,
                QueryOptions.limit(20).withTimeout(Duration.ofSeconds(5)));
    }

    QueryResult run(Query query) throws Exception {
        return CoordinatorAssembly.await(service.execute(query));
    }

    @Override
    public void close() {
        threads.close();
    }
}
