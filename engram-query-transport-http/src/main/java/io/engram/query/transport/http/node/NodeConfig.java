package io.engram.query.transport.http.node;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.executor.config.ConfigReader;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.planner.membership.MembershipConfig;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.config.ConfigKey;
import io.engram.query.spi.config.ConfigValues;
import io.engram.query.transport.http.client.HttpTransportConfig;
import io.engram.query.transport.http.tls.TlsConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node's configuration file ({@code serve --config node.toml}): who this node is, the cluster, the data, the HTTP
 * server and client, and the {@code [query]} section. Every problem in the file is reported together at start.
 *
 * @param nodeId {@code node.id}
 * @param host the host part of {@code node.listen}
 * @param port the port part of {@code node.listen} (0 picks a free one)
 * @param nodes {@code [[cluster.nodes]]}: every node's id and base URL (this one included), in the file's order
 * @param explicitSpaces {@code [[cluster.spaces]]}: listed assignments; empty means rendezvous hashing
 * @param replicationFactor {@code cluster.replication_factor}: copies per space under rendezvous hashing
 * @param clusterToken from {@code ENGRAM_CLUSTER_TOKEN} or {@code cluster.token_file}
 * @param membership how peers' health is followed (SWIM): {@code cluster.probe_interval_ms}, {@code
 *     cluster.probe_timeout_ms}, {@code cluster.indirect_probes}, {@code cluster.suspicion_timeout_ms}
 * @param dimensions {@code engine.dimensions}
 * @param dataFile {@code engine.data}: a JSON Lines file of memories
 * @param dataSpaces {@code engine.spaces}: the spaces of the data file (when {@code cluster.spaces} lists none)
 * @param synthetic {@code [engine.synthetic]}: generated data instead of a file
 * @param maxBodyBytes {@code http.max_body_bytes}
 * @param apiToken from {@code ENGRAM_API_TOKEN} or {@code http.api_token_file}: when set, {@code /v1/query} requires it
 * @param stopTimeout {@code http.stop_timeout_ms}: how long a stopping node lets in-flight queries finish
 * @param maxConcurrentQueries {@code http.max_concurrent_queries}: client queries this node coordinates at once; more
 *     get 429 (0 = 8 per core)
 * @param transportType {@code transport.type}: how this node calls its peers, {@code tcp} (the default) or
 *     {@code http}
 * @param transportHost the host part of {@code node.transport_listen}, where the tcp transport listens (default: the
 *     host of {@code node.listen})
 * @param transportPort its port (default 0: any free port, announced to peers in {@code /cluster/health})
 * @param transportUrls {@code cluster.nodes[].transport_url}: a peer's tcp address when it is not to be learned from
 *     its health
 * @param transportSettings {@code transport.http.*} and {@code transport.tcp.*}, validated and typed, passed to the
 *     transports
 * @param pluginsDirectory {@code node.plugins_directory}: extra {@code QueryPlugin}s, each jar or subdirectory of
 *     jars one plugin with an isolated class loader of its own
 * @param tls the {@code [tls]} section: when present the node serves HTTPS and calls its peers over HTTPS
 * @param allowInsecure {@code tls.allow_insecure}: plain HTTP on a non-loopback address, explicitly
 * @param query the {@code [query]} section
 */
public record NodeConfig(
        NodeId nodeId,
        String host,
        int port,
        Map<NodeId, URI> nodes,
        List<SpaceAssignment> explicitSpaces,
        int replicationFactor,
        Optional<String> clusterToken,
        MembershipConfig membership,
        int dimensions,
        Optional<Path> dataFile,
        List<MemorySpaceId> dataSpaces,
        Optional<SyntheticSpec> synthetic,
        int maxBodyBytes,
        Optional<String> apiToken,
        Duration stopTimeout,
        int maxConcurrentQueries,
        String transportType,
        String transportHost,
        int transportPort,
        Map<NodeId, URI> transportUrls,
        ConfigValues transportSettings,
        Optional<Path> pluginsDirectory,
        Optional<TlsConfig> tls,
        boolean allowInsecure,
        QueryConfig query) {
    public static final String TOKEN_VARIABLE = "ENGRAM_CLUSTER_TOKEN";
    public static final String API_TOKEN_VARIABLE = "ENGRAM_API_TOKEN";

    public NodeConfig {
        requireNonNull(nodeId, "node id is null");
        requireNonNull(membership, "membership is null");
        requireNonNull(pluginsDirectory, "plugins directory is null");
        requireNonNull(tls, "tls is null");
        // In the file's order (Map.copyOf would not keep it): peers are listed and probed in that order.
        nodes = Collections.unmodifiableMap(new LinkedHashMap<>(nodes));
        explicitSpaces = List.copyOf(explicitSpaces);
        dataSpaces = List.copyOf(dataSpaces);
        requireNonNull(transportType, "transport type is null");
        requireNonNull(transportHost, "transport host is null");
        transportUrls = Map.copyOf(transportUrls);
        requireNonNull(transportSettings, "transport settings is null");
    }

    /** The record's fields, with the cluster and API tokens masked: a configuration may be logged, a secret not. */
    @Override
    public String toString() {
        return "NodeConfig[nodeId=" + nodeId + ", host=" + host + ", port=" + port + ", nodes=" + nodes
                + ", explicitSpaces=" + explicitSpaces + ", replicationFactor=" + replicationFactor + ", clusterToken="
                + clusterToken.map(t -> "***").orElse("none") + ", membership=" + membership + ", dimensions="
                + dimensions + ", dataFile=" + dataFile + ", dataSpaces=" + dataSpaces + ", synthetic=" + synthetic
                + ", maxBodyBytes=" + maxBodyBytes + ", apiToken="
                + apiToken.map(t -> "***").orElse("none")
                + ", stopTimeout=" + stopTimeout + ", maxConcurrentQueries=" + maxConcurrentQueries
                + ", transportType=" + transportType + ", transportListen=" + transportHost + ":" + transportPort
                + ", transportUrls=" + transportUrls + ", transportSettings=" + transportSettings
                + ", pluginsDirectory=" + pluginsDirectory + ", tls=" + tls
                + ", allowInsecure=" + allowInsecure + ", query=" + query + "]";
    }

    /** The HTTP transport's settings. */
    public HttpTransportConfig httpTransport() {
        return HttpTransportConfig.from(transportSettings);
    }

    /** Client queries coordinated at once: the configured count, or 8 per core. */
    public int effectiveMaxConcurrentQueries() {
        return maxConcurrentQueries > 0
                ? maxConcurrentQueries
                : 8 * Runtime.getRuntime().availableProcessors();
    }

    /** Loads {@code file}, with overrides from system properties and the environment. */
    public static NodeConfig load(Path file) {
        Path base = file.toAbsolutePath().getParent();
        return read(ConfigReader.fromFile(file).withProcessOverrides(), base, System.getenv());
    }

    /** Parses TOML text; relative paths resolve against {@code base}. */
    public static NodeConfig fromToml(String toml, Path base, Map<String, String> environment) {
        return read(ConfigReader.fromToml(toml, "configuration"), base, environment);
    }

    private static NodeConfig read(ConfigReader r, Path base, Map<String, String> environment) {
        // No default: a forgotten id would make this node answer as a peer's namesake.
        Optional<String> id = r.find(NodeKeys.ID).filter(v -> !v.isBlank());
        if (id.isEmpty() && !r.isSet(NodeKeys.ID)) {
            r.problem("node.id is required: this node's id (one of [[cluster.nodes]] when nodes are listed)");
        } else if (id.isEmpty()) {
            r.problem("node.id must not be empty");
        }
        NodeId nodeId = nodeId(r, "node.id", id.orElse("missing"));
        String listen = r.get(NodeKeys.LISTEN);
        HostPort address = HostPort.read(r, "node.listen", listen, new HostPort("127.0.0.1", 7401));
        String host = address.host();
        int port = address.port();

        Optional<TlsConfig> tls = TlsConfig.read(r, base);
        boolean allowInsecure = r.get(TlsConfig.ALLOW_INSECURE);
        // Every node serves what this one does: all https with [tls], all http without.
        String scheme = tls.isPresent() ? "https" : "http";
        Map<NodeId, URI> nodes = new LinkedHashMap<>();
        Map<NodeId, URI> transportUrls = new LinkedHashMap<>();
        for (ConfigReader n : r.tables("cluster.nodes")) {
            NodeId peer = nodeId(n, "id", n.find(NodeKeys.NODE_ID).orElse(""));
            String url = n.find(NodeKeys.NODE_URL).orElse("");
            URI uri = null;
            try {
                uri = URI.create(url);
                if (!scheme.equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
                    n.problem("cluster.nodes url of " + peer + " must look like " + scheme + "://host:port"
                            + (tls.isPresent() ? " ([tls] is configured)" : " (https needs a [tls] section)")
                            + ", got '" + url + "'");
                    uri = null;
                }
            } catch (IllegalArgumentException e) {
                n.problem("cluster.nodes url of " + peer + " is not a URL: '" + url + "'");
            }
            if (peer != null && uri != null && nodes.put(peer, uri) != null) {
                r.problem("cluster.nodes lists node '" + peer + "' twice");
            }
            Optional<String> transportUrl = n.find(NodeKeys.NODE_TRANSPORT_URL).filter(u -> !u.isBlank());
            if (peer != null && transportUrl.isPresent()) {
                tcpAddress(n, "cluster.nodes transport_url of " + peer, transportUrl.get())
                        .ifPresent(t -> transportUrls.put(peer, t));
            }
        }
        if (nodes.isEmpty()) {
            // A node alone: its own url is where it listens.
            nodes.put(nodeId, URI.create(scheme + "://" + host + ":" + port));
        } else if (id.isPresent() && !nodes.containsKey(nodeId)) {
            r.problem("node.id '" + nodeId + "' is not among cluster.nodes (" + nodes.keySet() + ")");
        } else if (id.isPresent()) {
            ownEntryProblem(listen, host, port, nodeId, nodes.get(nodeId)).ifPresent(r::problem);
        }

        List<SpaceAssignment> explicit = new ArrayList<>();
        for (ConfigReader s : r.tables("cluster.spaces")) {
            String space = s.find(NodeKeys.SPACE_ID).orElse("");
            String primary = s.find(NodeKeys.SPACE_PRIMARY).orElse("");
            List<String> replicas = s.get(NodeKeys.SPACE_REPLICAS);
            try {
                SpaceAssignment a = new SpaceAssignment(
                        MemorySpaceId.of(space),
                        NodeId.of(primary),
                        replicas.stream().map(NodeId::of).toList());
                for (NodeId copy : a.copies()) {
                    if (!nodes.containsKey(copy)) {
                        s.problem("cluster.spaces '" + space + "' names node '" + copy
                                + "', which is not in cluster.nodes");
                    }
                }
                explicit.add(a);
            } catch (IllegalArgumentException e) {
                s.problem("cluster.spaces entry '" + space + "': " + e.getMessage());
            }
        }
        int replicationFactor = r.get(NodeKeys.REPLICATION_FACTOR);
        if (explicit.isEmpty() && replicationFactor > nodes.size()) {
            r.problem("cluster.replication_factor (" + replicationFactor + ") must not exceed the number of nodes ("
                    + nodes.size() + ")");
        }
        Optional<String> token =
                Optional.ofNullable(environment.get(TOKEN_VARIABLE)).filter(t -> !t.isBlank());
        Optional<String> tokenFile = Optional.of(r.get(NodeKeys.TOKEN_FILE)).filter(f -> !f.isBlank());
        if (token.isEmpty() && tokenFile.isPresent()) {
            token = readSecret(r, "cluster.token_file", base.resolve(tokenFile.get()));
        }
        MembershipConfig membership = membership(r);

        int dimensions = r.get(NodeKeys.DIMENSIONS);
        Optional<Path> data =
                Optional.of(r.get(NodeKeys.DATA)).filter(d -> !d.isBlank()).map(base::resolve);
        List<MemorySpaceId> dataSpaces = new ArrayList<>();
        for (String space : r.get(NodeKeys.SPACES)) {
            try {
                dataSpaces.add(MemorySpaceId.of(space));
            } catch (IllegalArgumentException e) {
                r.problem("engine.spaces: " + e.getMessage());
            }
        }
        Optional<SyntheticSpec> synthetic = Optional.empty();
        boolean hasSynthetic = r.isSet(NodeKeys.SYNTHETIC_SPACES);
        int spaces = r.get(NodeKeys.SYNTHETIC_SPACES);
        int perSpace = r.get(NodeKeys.SYNTHETIC_MEMORIES);
        int clusters = r.get(NodeKeys.SYNTHETIC_CLUSTERS);
        int edges = r.get(NodeKeys.SYNTHETIC_EDGES);
        double cross = r.get(NodeKeys.SYNTHETIC_CROSS_SPACE);
        long seed = r.get(NodeKeys.SYNTHETIC_SEED);
        if (hasSynthetic) {
            try {
                synthetic = Optional.of(new SyntheticSpec(
                        spaces, perSpace, dimensions, Math.min(clusters, perSpace), edges, cross, seed));
            } catch (IllegalArgumentException e) {
                r.problem("engine.synthetic: " + e.getMessage());
            }
        }
        if (data.isPresent() && hasSynthetic) {
            r.problem("engine.data and [engine.synthetic] exclude each other; set one");
        }
        if (data.isPresent() && explicit.isEmpty() && dataSpaces.isEmpty()) {
            r.problem("engine.data needs its spaces: list them in engine.spaces or as [[cluster.spaces]]");
        }

        int maxBody = r.get(NodeKeys.MAX_BODY_BYTES);
        Optional<String> apiToken =
                Optional.ofNullable(environment.get(API_TOKEN_VARIABLE)).filter(t -> !t.isBlank());
        Optional<String> apiTokenFile =
                Optional.of(r.get(NodeKeys.API_TOKEN_FILE)).filter(f -> !f.isBlank());
        if (apiToken.isEmpty() && apiTokenFile.isPresent()) {
            apiToken = readSecret(r, "http.api_token_file", base.resolve(apiTokenFile.get()));
        }
        Duration stopTimeout = r.get(NodeKeys.STOP_TIMEOUT);
        int maxConcurrentQueries = r.get(NodeKeys.MAX_CONCURRENT_QUERIES);

        // Read and validated once, here; the transports get the typed values.
        ConfigValues.Builder transport = ConfigValues.builder();
        NodeKeys.transportKeys().forEach(key -> readInto(r, key, transport));
        ConfigValues transportSettings = transport.build();
        String transportType = r.get(NodeKeys.TRANSPORT_TYPE);
        String transportListenText = r.get(NodeKeys.TRANSPORT_LISTEN);
        HostPort transportListen = transportListenText.isBlank()
                ? new HostPort(host, 0)
                : HostPort.read(r, "node.transport_listen", transportListenText, new HostPort(host, 0));
        if (tls.isPresent() && transportSettings.get(HttpTransportConfig.H2C)) {
            r.problem("transport.http.h2c is HTTP/2 without TLS; with [tls] nodes speak HTTP/1.1 over TLS, so"
                    + " leave it false");
        }

        Optional<Path> plugins = Optional.of(r.get(NodeKeys.PLUGINS_DIRECTORY))
                .filter(d -> !d.isBlank())
                .map(base::resolve);
        plugins.filter(d -> !Files.isDirectory(d))
                .ifPresent(d -> r.problem("node.plugins_directory " + d + " is not a directory"));

        QueryConfig query = QueryConfig.read(r);

        if (token.isEmpty() && !isLoopback(host)) {
            r.problem("node.listen " + listen + " is not a loopback address: a cluster token is required (set "
                    + TOKEN_VARIABLE + " or cluster.token_file)");
        }
        if (tls.isEmpty() && !allowInsecure && !isLoopback(host)) {
            r.problem("node.listen " + listen + " is not a loopback address: TLS is required (set "
                    + TlsConfig.CERT_FILE + " and " + TlsConfig.KEY_FILE + ", or " + TlsConfig.ALLOW_INSECURE
                    + " = true to serve plain HTTP)");
        }
        if (apiToken.isEmpty() && !isLoopback(host)) {
            r.problem("node.listen " + listen + " is not a loopback address: an API token is required for /v1/query"
                    + " (set " + API_TOKEN_VARIABLE + " or http.api_token_file)");
        }
        r.finish();
        return new NodeConfig(
                nodeId,
                host,
                port,
                nodes,
                explicit,
                replicationFactor,
                token,
                membership,
                dimensions,
                data,
                dataSpaces,
                synthetic,
                maxBody,
                apiToken,
                stopTimeout,
                maxConcurrentQueries,
                transportType,
                transportListen.host(),
                transportListen.port(),
                transportUrls,
                transportSettings,
                plugins,
                tls,
                allowInsecure,
                query);
    }

    private static <T> void readInto(ConfigReader r, ConfigKey<T> key, ConfigValues.Builder values) {
        values.put(key, r.get(key));
    }

    /**
     * What is wrong with this node's own {@code cluster.nodes} entry against where it listens: peers call the url, so
     * a node listening elsewhere would be unreachable or, worse, another node would answer in its name. The ports must
     * be equal (port 0, a free port, can not be); the hosts too, unless the listen address is a wildcard or either
     * host is a name (names are not resolved at start, DNS may not be up yet).
     */
    static Optional<String> ownEntryProblem(String listen, String host, int port, NodeId id, URI own) {
        if (own.getPort() != port) {
            return Optional.of("node.listen " + listen + " is not where node " + id + "'s own cluster.nodes url "
                    + own + " points: the ports differ (" + port + " and " + own.getPort() + ")"
                    + (port == 0 ? "; port 0 picks a free port, which peers can not know" : ""));
        }
        String listenHost = unbracket(host);
        String urlHost = unbracket(own.getHost());
        if (isWildcard(listenHost) || listenHost.equalsIgnoreCase(urlHost)) {
            return Optional.empty();
        }
        if (isAddressLiteral(listenHost) && isAddressLiteral(urlHost)) {
            try {
                InetAddress a = InetAddress.getByName(listenHost);
                InetAddress b = InetAddress.getByName(urlHost);
                if (a.equals(b) || (a.isLoopbackAddress() && b.isLoopbackAddress())) {
                    return Optional.empty();
                }
            } catch (UnknownHostException e) {
                return Optional.empty(); // a literal always parses; nothing to judge otherwise
            }
            return Optional.of("node.listen " + listen + " is not where node " + id + "'s own cluster.nodes url "
                    + own + " points: the hosts differ (" + listenHost + " and " + urlHost
                    + "); listen on that address, or on a wildcard such as 0.0.0.0");
        }
        return Optional.empty();
    }

    private static String unbracket(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    private static boolean isAddressLiteral(String host) {
        return host.equalsIgnoreCase("localhost") || host.contains(":") || host.matches("[0-9.]+");
    }

    /** The SWIM keys; the probe timeout defaults to 300 ms or half the interval, whichever is shorter. */
    private static MembershipConfig membership(ConfigReader r) {
        long interval = r.get(NodeKeys.PROBE_INTERVAL).toMillis();
        long probeTimeout = r.isSet(NodeKeys.PROBE_TIMEOUT)
                ? r.get(NodeKeys.PROBE_TIMEOUT).toMillis()
                : Math.min(NodeKeys.PROBE_TIMEOUT.defaultOrThrow().toMillis(), interval / 2);
        int indirect = r.get(NodeKeys.INDIRECT_PROBES);
        long suspicion = r.get(NodeKeys.SUSPICION_TIMEOUT).toMillis();
        if (probeTimeout >= interval) {
            r.problem("cluster.probe_timeout_ms (" + probeTimeout + ") must be less than cluster.probe_interval_ms ("
                    + interval + ")");
            probeTimeout = interval / 2;
        }
        return MembershipConfig.of(
                Duration.ofMillis(interval),
                Duration.ofMillis(Math.max(1, probeTimeout)),
                indirect,
                Duration.ofMillis(suspicion));
    }

    private static NodeId nodeId(ConfigReader r, String key, String value) {
        try {
            return NodeId.of(value);
        } catch (IllegalArgumentException e) {
            r.problem(key + ": " + e.getMessage());
            return NodeId.of("invalid");
        }
    }

    /** A {@code host:port} setting, such as {@code node.listen}. */
    private record HostPort(String host, int port) {
        /** {@code value} split at its last colon, or {@code fallback} after reporting what is wrong with it. */
        static HostPort read(ConfigReader r, String key, String value, HostPort fallback) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                r.problem(key + " must be host:port, got '" + value + "'");
                return fallback;
            }
            String portText = value.substring(colon + 1);
            try {
                int port = Integer.parseInt(portText);
                if (port < 0 || port > 65_535) {
                    r.problem(key + " port must be in [0, 65535], got " + port);
                }
                return new HostPort(value.substring(0, colon), port);
            } catch (NumberFormatException e) {
                r.problem(key + " port must be a number, got '" + portText + "'");
                return new HostPort(value.substring(0, colon), fallback.port());
            }
        }
    }

    /** A {@code tcp://host:port} address, or a problem naming {@code what}. */
    private static Optional<URI> tcpAddress(ConfigReader r, String what, String url) {
        try {
            URI uri = URI.create(url);
            if ("tcp".equals(uri.getScheme()) && uri.getHost() != null && uri.getPort() > 0) {
                return Optional.of(uri);
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        r.problem(what + " must look like tcp://host:port, got '" + url + "'");
        return Optional.empty();
    }

    private static Optional<String> readSecret(ConfigReader r, String key, Path file) {
        try {
            String secret = Files.readString(file).strip();
            if (secret.isEmpty()) {
                r.problem(key + " " + file + " is empty");
                return Optional.empty();
            }
            return Optional.of(secret);
        } catch (IOException e) {
            r.problem(key + " " + file + " can not be read: " + e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    static boolean isLoopback(String host) {
        if (host.equals("localhost")) {
            return true;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * The {@code [engine]} and {@code [engine.synthetic]} sections that make a node generate {@code spec}'s data: the
     * inverse of what {@link #fromToml} reads, for tools that write node configurations (the demo, tests, benchmarks).
     */
    public static String engineToml(SyntheticSpec spec) {
        return "[engine]\ndimensions = " + spec.dimensions() + "\n\n[engine.synthetic]\nspaces = " + spec.spaces()
                + "\nmemories_per_space = " + spec.memoriesPerSpace() + "\nclusters = " + spec.clusters()
                + "\nedges_per_memory = " + spec.edgesPerMemory() + "\ncross_space_edge_fraction = "
                + spec.crossSpaceEdgeFraction() + "\nseed = " + spec.seed() + "\n\n";
    }

    /** {@code https} with {@code [tls]}, else {@code http}. */
    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }

    /** Off loopback without TLS, as {@code tls.allow_insecure = true} allows. */
    public boolean servesPlainHttpOffLoopback() {
        return tls.isEmpty() && !isLoopback(host);
    }

    /** Whether this node calls its peers over the tcp transport ({@code transport.type = "tcp"}). */
    public boolean usesTcp() {
        return transportType.equals("tcp");
    }

    /** The listen address, for messages. */
    public String listen() {
        return host + ":" + port;
    }
}
