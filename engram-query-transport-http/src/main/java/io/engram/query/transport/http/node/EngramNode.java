package io.engram.query.transport.http.node;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.MetricRegistry;
import com.google.inject.Guice;
import com.google.inject.Injector;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.api.QueryService;
import io.engram.query.api.Ticker;
import io.engram.query.executor.EngramQueryModule;
import io.engram.query.executor.QueryNode;
import io.engram.query.executor.engine.EmbeddedQueryEngine;
import io.engram.query.executor.engine.EngineOptions;
import io.engram.query.executor.engine.JsonLinesLoader;
import io.engram.query.executor.engine.LoadReport;
import io.engram.query.executor.engine.MemoryStore;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.plugin.PluginCatalog;
import io.engram.query.executor.plugin.PluginDescription;
import io.engram.query.executor.plugin.PluginLoader;
import io.engram.query.planner.embedded.StaticSpaceDirectory;
import io.engram.query.spi.NamedRegistry;
import io.engram.query.spi.QueryPlugin;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.SpaceDirectory;
import io.engram.query.spi.Transport;
import io.engram.query.spi.TransportContext;
import io.engram.query.spi.TransportFactory;
import io.engram.query.spi.TransportServer;
import io.engram.query.spi.TransportTls;
import io.engram.query.spi.config.ConfigValues;
import io.engram.query.transport.http.client.HttpTransportFactory;
import io.engram.query.transport.http.server.EngramHttpServer;
import io.engram.query.transport.http.server.HttpServerConfig;
import io.engram.query.transport.http.tls.NodeTransportTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: its space directory and partition detector from the configuration (with periodic health probes
 * of its peers), the embedded engine loaded with the spaces it holds, the query service, and the HTTP server.
 */
public final class EngramNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EngramNode.class);

    private final NodeConfig config;
    private final EngramHttpServer server;
    private final Optional<TransportServer> transportServer;
    private final Transport transport;
    private final QueryNode queryNode;
    private final PeerMembership membership;
    private final Set<MemorySpaceId> held;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EngramNode(
            NodeConfig config,
            EngramHttpServer server,
            Optional<TransportServer> transportServer,
            Transport transport,
            QueryNode queryNode,
            PeerMembership membership,
            Set<MemorySpaceId> held) {
        this.config = config;
        this.server = server;
        this.transportServer = transportServer;
        this.transport = transport;
        this.queryNode = queryNode;
        this.membership = membership;
        this.held = held;
    }

    /**
     * Loads the data, wires the node and starts serving. Fails with {@link IllegalStateException} (a clear one-line
     * message) when the data can not be loaded or the port can not be bound.
     */
    public static EngramNode start(NodeConfig config) {
        requireNonNull(config, "config is null");
        SpaceDirectory directory = directory(config);
        Set<MemorySpaceId> held = new TreeSet<>();
        for (SpaceAssignment a : directory.assignments()) {
            if (a.isHeldBy(config.nodeId())) {
                held.add(a.space());
            }
        }
        MemoryStore store = loadStore(config, directory, held);
        // Generated memory ids name their space, so a spread's frontier and seeds go only to the spaces holding them.
        EngineOptions engineOptions = config.synthetic().isPresent()
                ? EngineOptions.defaults().withExternalSpaces(SyntheticDataGenerator::spaceOf)
                : EngineOptions.defaults();
        EmbeddedQueryEngine engine = new EmbeddedQueryEngine(config.nodeId(), store, Ticker.system(), engineOptions);
        MetricRegistry registry = new MetricRegistry();

        // Found once, here, because the transport factory is needed before the injector exists; the module takes
        // the same plugins and does not search the class path again.
        ClassLoader loader = EngramNode.class.getClassLoader();
        List<QueryPlugin> plugins = new ArrayList<>(PluginLoader.fromClassPath(loader));
        config.pluginsDirectory()
                .map(dir -> PluginLoader.fromDirectory(dir, loader))
                .ifPresent(plugins::addAll);
        PluginCatalog catalog = new PluginCatalog(plugins);
        List<PluginDescription> pluginDescriptions = catalog.descriptions();
        LOG.info(
                "node {} plugins: {}",
                config.nodeId(),
                pluginDescriptions.stream().map(PluginDescription::summary).collect(Collectors.joining(" | ")));
        NamedRegistry<TransportFactory> transports = new NamedRegistry<>("transport", catalog.transportFactories());
        // This node made the transports, so this node closes them; the QueryNode closes what the module started.
        // HTTP is always there: peers' health is read over it, and a peer whose tcp address is not known yet (or
        // that announces none) is called over it.
        Optional<TransportTls> tls = config.tls().map(t -> new NodeTransportTls(t, System::nanoTime));
        PeerTransports transport = new PeerTransports(
                config,
                HttpTransportFactory.open(new NodeTransportContext(config, Optional.empty(), tls)),
                registry,
                System::nanoTime);
        Optional<TransportFactory> tcpFactory = Optional.empty();
        if (config.usesTcp()) {
            try {
                tcpFactory = Optional.of(transports.get(config.transportType()));
                transport.useTcp(
                        tcpFactory.get().create(new NodeTransportContext(config, Optional.of(transport), tls)));
            } catch (RuntimeException e) {
                closeAfter(transport, e);
                throw e;
            }
        }

        Injector injector;
        try {
            injector = Guice.createInjector(
                    new EngramQueryModule(config.query(), config.nodeId(), catalog.plugins()), binder -> {
                        EngramQueryModule.spaceDirectory(binder).toInstance(directory);
                        EngramQueryModule.localQueryEngine(binder).toInstance(engine);
                        EngramQueryModule.transport(binder).toInstance(transport);
                        EngramQueryModule.metricRegistry(binder).toInstance(registry);
                    });
        } catch (RuntimeException e) {
            closeAfter(transport, e);
            throw e;
        }
        QueryNode queryNode = injector.getInstance(QueryNode.class);
        Optional<TransportServer> transportServer = Optional.empty();
        if (tcpFactory.isPresent()) {
            try {
                transportServer = tcpFactory
                        .get()
                        .serve(
                                new NodeTransportContext(config, Optional.of(transport), tls),
                                new InetSocketAddress(config.transportHost(), config.transportPort()),
                                queryNode.localPartitions()::runAll);
            } catch (RuntimeException e) {
                closeAfter(queryNode, e);
                closeAfter(transport, e);
                throw e;
            }
        }
        PeerMembership membership = new PeerMembership(config, queryNode.partitionDetector(), queryNode.scheduler());
        ClusterHealth health = new ClusterHealth(
                config,
                held,
                pluginDescriptions,
                queryNode,
                transport,
                transportServer.map(TransportServer::address),
                membership);

        HttpServerConfig serverConfig = new HttpServerConfig(
                config.host(),
                config.port(),
                config.maxBodyBytes(),
                config.clusterToken(),
                config.apiToken(),
                Optional.of(config.dimensions()),
                config.stopTimeout(),
                config.effectiveMaxConcurrentQueries());
        EngramHttpServer server;
        try {
            // with [tls] the constructor reads the PEM files, which may have changed since the configuration was read
            server = new EngramHttpServer(
                    serverConfig,
                    config.tls(),
                    queryNode.queryService(),
                    new LocalPartitionHandler(queryNode.localPartitions()),
                    health,
                    membership.endpoint(),
                    registry);
            server.start();
        } catch (RuntimeException e) {
            transportServer.ifPresent(t -> closeAfter(t, e));
            closeAfter(queryNode, e);
            closeAfter(transport, e);
            throw e;
        }
        membership.start();
        transport.lookUpPeers();
        if (config.servesPlainHttpOffLoopback()) {
            LOG.warn(
                    "tls.allow_insecure = true: node {} serves plain HTTP on {}; queries, answers and tokens cross the"
                            + " network unencrypted",
                    config.nodeId(),
                    config.listen());
        }
        LOG.info(
                "node {} listening on {}://{}:{}; holds {} of {} spaces: {}",
                config.nodeId(),
                config.scheme(),
                config.host(),
                server.port(),
                held.size(),
                directory.assignments().size(),
                held.stream().map(MemorySpaceId::value).collect(Collectors.joining(", ")));
        return new EngramNode(config, server, transportServer, transport, queryNode, membership, held);
    }

    static SpaceDirectory directory(NodeConfig config) {
        if (!config.explicitSpaces().isEmpty()) {
            StaticSpaceDirectory listed = new StaticSpaceDirectory(config.explicitSpaces());
            return config.synthetic().isPresent() ? listed.withMemorySpaces(SyntheticDataGenerator::spaceOf) : listed;
        }
        List<MemorySpaceId> spaces = config.synthetic()
                .map(spec -> new SyntheticDataGenerator(spec).spaces())
                .orElse(config.dataSpaces());
        StaticSpaceDirectory placed = StaticSpaceDirectory.rendezvous(
                spaces, new ArrayList<>(config.nodes().keySet()), config.replicationFactor());
        return config.synthetic().isPresent() ? placed.withMemorySpaces(SyntheticDataGenerator::spaceOf) : placed;
    }

    private static MemoryStore loadStore(NodeConfig config, SpaceDirectory directory, Set<MemorySpaceId> held) {
        if (config.synthetic().isPresent()) {
            return new SyntheticDataGenerator(config.synthetic().get()).store(held::contains);
        }
        MemoryStore.Builder builder = MemoryStore.builder(config.dimensions());
        held.forEach(builder::addSpace);
        if (config.dataFile().isPresent()) {
            Path file = config.dataFile().get();
            Set<MemorySpaceId> known =
                    directory.assignments().stream().map(SpaceAssignment::space).collect(Collectors.toSet());
            LoadReport report;
            try {
                report = new JsonLinesLoader(config.dimensions(), known, held::contains).load(file, builder);
            } catch (IOException e) {
                throw new IllegalStateException("can not read engine.data " + file + ": " + e.getMessage(), e);
            }
            if (report.hasErrors()) {
                throw new IllegalStateException(report.errorCount() + " bad lines in " + file + "; first: "
                        + report.errors().get(0));
            }
            LOG.info("loaded {} memories of {} spaces from {}", report.loaded(), held.size(), file);
        }
        return builder.build();
    }

    public int port() {
        return server.port();
    }

    public URI url() {
        return URI.create(config.scheme() + "://" + config.host() + ":" + server.port());
    }

    public NodeId nodeId() {
        return config.nodeId();
    }

    public Set<MemorySpaceId> heldSpaces() {
        return held;
    }

    public QueryService queryService() {
        return queryNode.queryService();
    }

    /**
     * Stops accepting, lets in-flight queries finish up to {@code http.stop_timeout_ms}, then releases everything in
     * the reverse order of start (peer membership, tcp listener, server, the query node's threads, transports), even when a step
     * fails (the
     * first failure is thrown after the rest are released). The tcp listener stops first, so peers fail over at once
     * rather than wait on a node that is going away. Closing again does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failure = null;
        Runnable stopTransportServer = () -> transportServer.ifPresent(TransportServer::close);
        for (Runnable step : List.<Runnable>of(
                membership::close, stopTransportServer, server::stop, queryNode::close, transport::close)) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Closes {@code resource} after {@code failure}, keeping a failure to close as suppressed. */
    private static void closeAfter(AutoCloseable resource, RuntimeException failure) {
        try {
            resource.close();
        } catch (Exception e) {
            failure.addSuppressed(e);
        }
    }

    /** What the transports get from the node; the tcp one reads peers' tcp addresses from {@code peers}. */
    private record NodeTransportContext(NodeConfig config, Optional<PeerTransports> peers, Optional<TransportTls> tls)
            implements TransportContext {

        @Override
        public NodeId localNode() {
            return config.nodeId();
        }

        @Override
        public Optional<URI> addressOf(NodeId node) {
            return Optional.ofNullable(config.nodes().get(node));
        }

        @Override
        public ConfigValues settings() {
            return config.transportSettings();
        }

        @Override
        public Optional<String> clusterToken() {
            return config.clusterToken();
        }

        @Override
        public Optional<URI> transportAddressOf(NodeId node) {
            return peers.flatMap(p -> p.tcpAddressOf(node));
        }
    }
}
