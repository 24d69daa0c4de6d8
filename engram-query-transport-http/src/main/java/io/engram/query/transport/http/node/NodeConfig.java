package io.engram.query.transport.http.node;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.executor.config.ConfigReader;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.planner.membership.MembershipConfig;
import io.engram.query.spi.SpaceAssignment;
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
import java.util.Set;

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
 * @param transportSettings {@code transport.http.*} and {@code transport.tcp.*}, passed to the transports
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
        Map<String, String> transportSettings,
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
        transportSettings = Map.copyOf(transportSettings);
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

    /** Every key a node's configuration may set, tables' keys in their generic form ({@code cluster.nodes[].id}). */
    static Set<String> knownKeys() {
        ConfigReader r = ConfigReader.empty();
        read(r, Path.of("."), Map.of());
        return r.knownKeys();
    }

    private static NodeConfig read(ConfigReader r, Path base, Map<String, String> environment) {
        NodeId nodeId = nodeId(r, "node.id", r.stringValue("node.id", "n1"));
        String listen = r.stringValue("node.listen", "127.0.0.1:7401");
        HostPort address = HostPort.read(r, "node.listen", listen, new HostPort("127.0.0.1", 7401));
        String host = address.host();
        int port = address.port();

        Optional<TlsConfig> tls = TlsConfig.read(r, base);
        boolean allowInsecure = r.boolValue(TlsConfig.ALLOW_INSECURE, false);
        // Every node serves what this one does: all https with [tls], all http without.
        String scheme = tls.isPresent() ? "https" : "http";
        Map<NodeId, URI> nodes = new LinkedHashMap<>();
        Map<NodeId, URI> transportUrls = new LinkedHashMap<>();
        for (ConfigReader n : r.tables("cluster.nodes")) {
            NodeId id = nodeId(n, "id", n.stringValue("id", ""));
            String url = n.stringValue("url", "");
            URI uri = null;
            try {
                uri = URI.create(url);
                if (!scheme.equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
                    n.problem("cluster.nodes url of " + id + " must look like " + scheme + "://host:port"
                            + (tls.isPresent() ? " ([tls] is configured)" : " (https needs a [tls] section)")
                            + ", got '" + url + "'");
                    uri = null;
                }
            } catch (IllegalArgumentException e) {
                n.problem("cluster.nodes url of " + id + " is not a URL: '" + url + "'");
            }
            if (id != null && uri != null && nodes.put(id, uri) != null) {
                r.problem("cluster.nodes lists node '" + id + "' twice");
            }
            Optional<String> transportUrl = n.optionalString("transport_url").filter(u -> !u.isBlank());
            if (id != null && transportUrl.isPresent()) {
                tcpAddress(n, "cluster.nodes transport_url of " + id, transportUrl.get())
                        .ifPresent(t -> transportUrls.put(id, t));
            }
        }
        if (nodes.isEmpty()) {
            nodes.put(nodeId, URI.create(scheme + "://" + host + ":" + port));
        } else if (!nodes.containsKey(nodeId)) {
            r.problem("node.id '" + nodeId + "' is not among cluster.nodes (" + nodes.keySet() + ")");
        }

        List<SpaceAssignment> explicit = new ArrayList<>();
        for (ConfigReader s : r.tables("cluster.spaces")) {
            String id = s.stringValue("id", "");
            String primary = s.stringValue("primary", "");
            List<String> replicas = s.stringList("replicas", List.of());
            try {
                SpaceAssignment a = new SpaceAssignment(
                        MemorySpaceId.of(id),
                        NodeId.of(primary),
                        replicas.stream().map(NodeId::of).toList());
                for (NodeId copy : a.copies()) {
                    if (!nodes.containsKey(copy)) {
                        s.problem(
                                "cluster.spaces '" + id + "' names node '" + copy + "', which is not in cluster.nodes");
                    }
                }
                explicit.add(a);
            } catch (IllegalArgumentException e) {
                s.problem("cluster.spaces entry '" + id + "': " + e.getMessage());
            }
        }
        int replicationFactor = r.intValue("cluster.replication_factor", 1, 1, 16);
        if (explicit.isEmpty() && replicationFactor > nodes.size()) {
            r.problem("cluster.replication_factor (" + replicationFactor + ") must not exceed the number of nodes ("
                    + nodes.size() + ")");
        }
        Optional<String> token =
                Optional.ofNullable(environment.get(TOKEN_VARIABLE)).filter(t -> !t.isBlank());
        Optional<String> tokenFile = r.optionalString("cluster.token_file").filter(f -> !f.isBlank());
        if (token.isEmpty() && tokenFile.isPresent()) {
            token = readSecret(r, "cluster.token_file", base.resolve(tokenFile.get()));
        }
        MembershipConfig membership = membership(r);

        int dimensions = r.intValue("engine.dimensions", 768, 1, 65_536);
        Optional<Path> data =
                r.optionalString("engine.data").filter(d -> !d.isBlank()).map(base::resolve);
        List<MemorySpaceId> dataSpaces = new ArrayList<>();
        for (String s : r.stringList("engine.spaces", List.of())) {
            try {
                dataSpaces.add(MemorySpaceId.of(s));
            } catch (IllegalArgumentException e) {
                r.problem("engine.spaces: " + e.getMessage());
            }
        }
        Optional<SyntheticSpec> synthetic = Optional.empty();
        boolean hasSynthetic = r.has("engine.synthetic.spaces");
        int spaces = r.intValue("engine.synthetic.spaces", 4, 1, SyntheticSpec.MAX_SPACES);
        int perSpace = r.intValue("engine.synthetic.memories_per_space", 1000, 1, SyntheticSpec.MAX_MEMORIES_PER_SPACE);
        int clusters = r.intValue("engine.synthetic.clusters", 8, 1, 1_000_000);
        int edges = r.intValue("engine.synthetic.edges_per_memory", 4, 0, SyntheticSpec.MAX_EDGES_PER_MEMORY);
        double cross = r.doubleValue("engine.synthetic.cross_space_edge_fraction", 0.0, 0.0, 1.0);
        long seed = r.longValue("engine.synthetic.seed", 42, Long.MIN_VALUE, Long.MAX_VALUE);
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

        int maxBody = r.intValue("http.max_body_bytes", 1 << 20, 1024, 256 << 20);
        Optional<String> apiToken =
                Optional.ofNullable(environment.get(API_TOKEN_VARIABLE)).filter(t -> !t.isBlank());
        Optional<String> apiTokenFile = r.optionalString("http.api_token_file").filter(f -> !f.isBlank());
        if (apiToken.isEmpty() && apiTokenFile.isPresent()) {
            apiToken = readSecret(r, "http.api_token_file", base.resolve(apiTokenFile.get()));
        }
        Duration stopTimeout = Duration.ofMillis(r.longValue("http.stop_timeout_ms", 5000, 0, 600_000));
        int maxConcurrentQueries = r.intValue("http.max_concurrent_queries", 0, 0, 100_000);

        Map<String, String> transport = new LinkedHashMap<>();
        transport.put("transport.http.h2c", String.valueOf(r.boolValue("transport.http.h2c", false)));
        transport.put("transport.http.format", r.choice("transport.http.format", "smile", List.of("smile", "json")));
        transport.put(
                "transport.http.max_response_bytes",
                String.valueOf(r.intValue("transport.http.max_response_bytes", 16 << 20, 1024, 1 << 30)));
        transport.put(
                "transport.http.connect_timeout_ms",
                String.valueOf(r.longValue("transport.http.connect_timeout_ms", 1000, 1, 60_000)));
        transport.put(
                "transport.http.max_connections_per_node",
                String.valueOf(r.intValue("transport.http.max_connections_per_node", 64, 1, 10_000)));
        transport.put(
                "transport.tcp.max_frame_bytes",
                String.valueOf(r.intValue("transport.tcp.max_frame_bytes", 16 << 20, 1024, 1 << 30)));
        transport.put(
                "transport.tcp.max_in_flight",
                String.valueOf(r.intValue("transport.tcp.max_in_flight", 1024, 1, 1 << 20)));
        transport.put(
                "transport.tcp.connect_timeout_ms",
                String.valueOf(r.intValue("transport.tcp.connect_timeout_ms", 1000, 1, 60_000)));
        transport.put(
                "transport.tcp.handshake_timeout_ms",
                String.valueOf(r.intValue("transport.tcp.handshake_timeout_ms", 5000, 1, 60_000)));
        transport.put(
                "transport.tcp.write_buffer_bytes",
                String.valueOf(r.intValue("transport.tcp.write_buffer_bytes", 4 << 20, 64 << 10, 1 << 30)));
        transport.put("transport.tcp.io_threads", String.valueOf(r.intValue("transport.tcp.io_threads", 1, 1, 64)));
        String transportType = r.choice("transport.type", "tcp", List.of("tcp", "http"));
        HostPort transportListen = HostPort.read(
                r, "node.transport_listen", r.stringValue("node.transport_listen", host + ":0"), new HostPort(host, 0));
        if (tls.isPresent()) {
            transport.putAll(tls.get().settings());
            if (transport.get("transport.http.h2c").equals("true")) {
                r.problem("transport.http.h2c is HTTP/2 without TLS; with [tls] nodes speak HTTP/1.1 over TLS, so"
                        + " leave it false");
            }
        }

        Optional<Path> plugins = r.optionalString("node.plugins_directory")
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
                transport,
                plugins,
                tls,
                allowInsecure,
                query);
    }

    /** The SWIM keys; the probe timeout defaults to 300 ms or half the interval, whichever is shorter. */
    private static MembershipConfig membership(ConfigReader r) {
        long interval =
                r.longValue("cluster.probe_interval_ms", MembershipConfig.DEFAULT_INTERVAL.toMillis(), 50, 600_000);
        long probeTimeout = r.longValue(
                "cluster.probe_timeout_ms",
                Math.min(MembershipConfig.DEFAULT_PROBE_TIMEOUT.toMillis(), interval / 2),
                1,
                599_999);
        int indirect = r.intValue("cluster.indirect_probes", MembershipConfig.DEFAULT_INDIRECT_PROBES, 0, 16);
        long suspicion = r.longValue(
                "cluster.suspicion_timeout_ms", MembershipConfig.DEFAULT_SUSPICION_TIMEOUT.toMillis(), 1, 3_600_000);
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
