package io.engram.query.executor;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.MetricRegistry;
import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.binder.LinkedBindingBuilder;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.multibindings.OptionalBinder;
import io.engram.query.aggregation.consistency.ConsistencyPolicyRegistry;
import io.engram.query.aggregation.merge.MergePolicyRegistry;
import io.engram.query.api.NodeId;
import io.engram.query.api.QueryService;
import io.engram.query.api.Ticker;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.hedging.HedgeBudget;
import io.engram.query.executor.hedging.HedgeDelay;
import io.engram.query.executor.local.LocalPartitionRunner;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.plugin.PluginCatalog;
import io.engram.query.executor.plugin.PluginLoader;
import io.engram.query.executor.resilience.NodeCallPolicy;
import io.engram.query.executor.scatter.ScatterGatherExecutor;
import io.engram.query.planner.CircuitBreakerView;
import io.engram.query.planner.PlannerConfig;
import io.engram.query.planner.PlanningStrategyRegistry;
import io.engram.query.planner.QueryPlanner;
import io.engram.query.planner.replica.ReplicaSelector;
import io.engram.query.spi.LocalQueryEngine;
import io.engram.query.spi.PartitionDetector;
import io.engram.query.spi.QueryPlugin;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.SpaceDirectory;
import io.engram.query.spi.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Guice module a host installs to get a {@link QueryService}. The host may bind its own cluster view and store
 * through {@link #spaceDirectory(Binder)}, {@link #partitionDetector(Binder)}, {@link #localQueryEngine(Binder)} and
 * {@link #transport(Binder)}; what it leaves unbound gets the embedded default: the in-memory engine (empty), a
 * directory assigning the engine's spaces to this node, a detector fed by call outcomes, and no transport (a
 * single-node deployment). Plugins come from {@code META-INF/services} (searched once, when the injector is created;
 * or given to the constructor by a host that searched already) and from {@link #plugins(Binder)}.
 *
 * <p>The host closes what the module started through {@link QueryNode}; what the host bound stays the host's to close.
 */
public final class EngramQueryModule extends AbstractModule {
    /** The node id used when the host names none. */
    public static final NodeId DEFAULT_NODE = NodeId.of("local");

    private final QueryConfig config;
    private final NodeId localNode;
    private final Optional<List<QueryPlugin>> discovered;

    public EngramQueryModule(QueryConfig config) {
        this(config, DEFAULT_NODE);
    }

    /** Plugins are the ones found on this module's class path with {@code ServiceLoader}, and the host's. */
    public EngramQueryModule(QueryConfig config, NodeId localNode) {
        this(config, localNode, Optional.empty());
    }

    /**
     * For a host that found the plugins already (on the class path, in a plugin directory) and needs them before the
     * injector exists, as a node does to create its transport: the module takes {@code plugins} as found, and
     * searches the class path no second time. Plugins bound through {@link #plugins(Binder)} are added.
     */
    public EngramQueryModule(QueryConfig config, NodeId localNode, List<QueryPlugin> plugins) {
        this(config, localNode, Optional.of(List.copyOf(requireNonNull(plugins, "plugins is null"))));
    }

    private EngramQueryModule(QueryConfig config, NodeId localNode, Optional<List<QueryPlugin>> discovered) {
        this.config = requireNonNull(config, "config is null");
        this.localNode = requireNonNull(localNode, "local node is null");
        this.discovered = discovered;
    }

    /** Where a host binds its {@link SpaceDirectory}. */
    public static LinkedBindingBuilder<SpaceDirectory> spaceDirectory(Binder binder) {
        return OptionalBinder.newOptionalBinder(binder, SpaceDirectory.class).setBinding();
    }

    /** Where a host binds its {@link PartitionDetector}. */
    public static LinkedBindingBuilder<PartitionDetector> partitionDetector(Binder binder) {
        return OptionalBinder.newOptionalBinder(binder, PartitionDetector.class).setBinding();
    }

    /** Where a host binds its {@link LocalQueryEngine}. */
    public static LinkedBindingBuilder<LocalQueryEngine> localQueryEngine(Binder binder) {
        return OptionalBinder.newOptionalBinder(binder, LocalQueryEngine.class).setBinding();
    }

    /** Where a host binds the {@link Transport} to other nodes. */
    public static LinkedBindingBuilder<Transport> transport(Binder binder) {
        return OptionalBinder.newOptionalBinder(binder, Transport.class).setBinding();
    }

    /** Where a host adds plugins of its own, besides those found with {@code ServiceLoader}. */
    public static Multibinder<QueryPlugin> plugins(Binder binder) {
        return Multibinder.newSetBinder(binder, QueryPlugin.class);
    }

    /** Where a host binds its own metric registry (the default is a fresh one). */
    public static LinkedBindingBuilder<MetricRegistry> metricRegistry(Binder binder) {
        return OptionalBinder.newOptionalBinder(binder, MetricRegistry.class).setBinding();
    }

    /** Where a host (or a test) binds the clock. */
    public static LinkedBindingBuilder<Ticker> ticker(Binder binder) {
        return OptionalBinder.newOptionalBinder(binder, Ticker.class).setBinding();
    }

    @Override
    protected void configure() {
        bind(QueryConfig.class).toInstance(config);
        bind(NodeId.class).annotatedWith(LocalNode.class).toInstance(localNode);
        plugins(binder());
        OptionalBinder.newOptionalBinder(binder(), LocalQueryEngine.class)
                .setDefault()
                .toProvider(EmbeddedDefaults.Engine.class)
                .in(Singleton.class);
        OptionalBinder.newOptionalBinder(binder(), SpaceDirectory.class)
                .setDefault()
                .toProvider(EmbeddedDefaults.Directory.class)
                .in(Singleton.class);
        OptionalBinder.newOptionalBinder(binder(), PartitionDetector.class)
                .setDefault()
                .toProvider(EmbeddedDefaults.Detector.class)
                .in(Singleton.class);
        OptionalBinder.newOptionalBinder(binder(), Transport.class);
        OptionalBinder.newOptionalBinder(binder(), MetricRegistry.class)
                .setDefault()
                .toInstance(new MetricRegistry());
        OptionalBinder.newOptionalBinder(binder(), Ticker.class).setDefault().toInstance(Ticker.system());
        // Eager, so that what can only be checked once plugins are gathered (a duplicate plugin name, an unknown
        // configured default policy or strategy) fails injector creation, at start, and not the first query.
        bind(QueryService.class).to(CoordinatorQueryService.class).asEagerSingleton();
        bind(QueryNode.class).asEagerSingleton();
    }

    @Provides
    @Singleton
    PluginCatalog pluginCatalog(Set<QueryPlugin> hostPlugins) {
        List<QueryPlugin> all = new ArrayList<>(hostPlugins);
        all.addAll(discovered.orElseGet(() -> PluginLoader.fromClassPath(EngramQueryModule.class.getClassLoader())));
        return new PluginCatalog(all);
    }

    @Provides
    @Singleton
    PlanningStrategyRegistry planningStrategies(PluginCatalog catalog) {
        return new PlanningStrategyRegistry(catalog.planningStrategies());
    }

    @Provides
    @Singleton
    MergePolicyRegistry mergePolicies(PluginCatalog catalog) {
        MergePolicyRegistry registry = new MergePolicyRegistry(catalog.mergePolicies());
        registry.get(config.defaultMergePolicy());
        return registry;
    }

    @Provides
    @Singleton
    ConsistencyPolicyRegistry consistencyPolicies(PluginCatalog catalog) {
        ConsistencyPolicyRegistry registry = new ConsistencyPolicyRegistry(catalog.consistencyPolicies());
        registry.get(config.defaultConsistency());
        return registry;
    }

    @Provides
    @Singleton
    QueryThreads queryThreads() {
        return new QueryThreads(config.effectiveComputeThreads());
    }

    @Provides
    @Singleton
    QueryMetrics queryMetrics(MetricRegistry registry) {
        return new QueryMetrics(registry, config.maxTimeout());
    }

    @Provides
    @Singleton
    NodeCallPolicy nodeCallPolicy(QueryMetrics metrics, SpaceDirectory directory) {
        NodeCallPolicy policy = new NodeCallPolicy(config, metrics);
        // every peer's series (breaker state, call latency) show from start, at 0, not from its first call
        for (SpaceAssignment assignment : directory.assignments()) {
            for (NodeId node : assignment.copies()) {
                policy.breaker(node);
                metrics.peer(node);
            }
        }
        return policy;
    }

    @Provides
    @Singleton
    CircuitBreakerView circuitBreakerView(NodeCallPolicy policy) {
        return policy::isOpen;
    }

    @Provides
    @Singleton
    ReplicaSelector replicaSelector() {
        return new ReplicaSelector();
    }

    @Provides
    @Singleton
    QueryPlanner queryPlanner(
            SpaceDirectory directory,
            PartitionDetector detector,
            CircuitBreakerView breakers,
            ReplicaSelector selector,
            PlanningStrategyRegistry strategies) {
        PlannerConfig plannerConfig =
                new PlannerConfig(config.maxFanout(), config.maxSpaces(), config.defaultPlanningStrategy());
        return new QueryPlanner(localNode, directory, detector, breakers, selector, strategies, plannerConfig);
    }

    @Provides
    @Singleton
    LocalPartitionRunner localPartitionRunner(LocalQueryEngine engine, QueryThreads threads, QueryMetrics metrics) {
        return new LocalPartitionRunner(
                engine,
                threads.compute(),
                config.effectiveComputeThreads(),
                config.effectiveMaxQueuedPartitions(),
                metrics);
    }

    @Provides
    @Singleton
    ScatterGatherExecutor scatterGatherExecutor(
            LocalPartitionRunner local,
            Optional<Transport> transport,
            QueryThreads threads,
            NodeCallPolicy callPolicy,
            QueryMetrics metrics,
            ReplicaSelector selector,
            PartitionDetector detector,
            MergePolicyRegistry mergePolicies,
            ConsistencyPolicyRegistry consistencyPolicies,
            Ticker ticker) {
        return new ScatterGatherExecutor(
                localNode,
                local,
                transport,
                threads.scheduler(),
                callPolicy,
                new HedgeDelay(config.hedge(), metrics, ticker),
                new HedgeBudget(config.hedge().budgetRatio(), config.hedge().budgetWindow(), ticker),
                selector,
                detector,
                metrics,
                mergePolicies,
                consistencyPolicies,
                config,
                ticker);
    }
}
