package io.engram.query.transport.http.node;

import static io.engram.query.spi.config.ValueType.choice;
import static io.engram.query.spi.config.ValueType.decimal;
import static io.engram.query.spi.config.ValueType.integer;
import static io.engram.query.spi.config.ValueType.longInteger;
import static io.engram.query.spi.config.ValueType.millis;
import static io.engram.query.spi.config.ValueType.string;
import static io.engram.query.spi.config.ValueType.stringList;

import io.engram.query.executor.config.ConfigRegistry;
import io.engram.query.executor.config.ConfigSection;
import io.engram.query.executor.config.QueryKeys;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.planner.membership.MembershipConfig;
import io.engram.query.spi.QueryPlugin;
import io.engram.query.spi.TransportFactory;
import io.engram.query.spi.config.ConfigKey;
import io.engram.query.transport.http.tls.TlsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The keys of a node's configuration that belong to the node runtime, and {@link #REGISTRY}: every key a node reads,
 * its own with those TLS ({@link TlsConfig}), the transports ({@code TransportFactory.configKeys()}) and the query
 * layer ({@link QueryKeys}) define. {@code config/default.toml} and the README's table are written from it.
 */
public final class NodeKeys {
    private NodeKeys() {}

    public static final ConfigKey<String> ID = ConfigKey.withoutDefault(
            "node.id",
            string(),
            "This node's id, required (no default: a forgotten id would answer as a peer's namesake); one of"
                    + " [[cluster.nodes]] when nodes are listed.");
    public static final ConfigKey<String> LISTEN = ConfigKey.of(
            "node.listen",
            string(),
            "127.0.0.1:7401",
            "host:port to listen on (port 0 picks a free one, for a node alone only). With [[cluster.nodes]] listed,"
                    + " the port must be the one of this node's own url there, and so must the host unless it is a"
                    + " wildcard (0.0.0.0). A non-loopback address requires a cluster token, an API token"
                    + " (http.api_token_file) and TLS ([tls], or tls.allow_insecure = true).");
    public static final ConfigKey<String> PLUGINS_DIRECTORY = ConfigKey.of(
            "node.plugins_directory",
            string(),
            "",
            "A folder of plugins (QueryPlugin in META-INF/services) besides those on the class path: each jar, and"
                    + " each subdirectory of jars, is one plugin with a class loader of its own that sees only the"
                    + " JDK, the SPI and its own jars. Relative to this file. Empty: none.");
    public static final ConfigKey<String> TRANSPORT_LISTEN = ConfigKey.of(
            "node.transport_listen",
            string(),
            "",
            "host:port the tcp transport listens on for peers (transport.type = \"tcp\"). Port 0 picks a free one,"
                    + " which the node announces in its /cluster/health, where peers read it: set a fixed port when a"
                    + " firewall sits between nodes. Empty: the host of node.listen, port 0.");

    public static final ConfigKey<Integer> REPLICATION_FACTOR = ConfigKey.of(
            "cluster.replication_factor",
            integer(1, 16),
            1,
            "Copies per space (primary included) when spaces are assigned by rendezvous hashing.");
    public static final ConfigKey<String> TOKEN_FILE = ConfigKey.of(
            "cluster.token_file",
            string(),
            "",
            "File holding the shared secret nodes present to each other (Authorization: Bearer ...)."
                    + " ENGRAM_CLUSTER_TOKEN, when set, wins. Never logged. Empty: none (allowed on loopback only).");
    public static final ConfigKey<Duration> PROBE_INTERVAL = ConfigKey.of(
            "cluster.probe_interval_ms",
            millis(50, 600_000),
            MembershipConfig.DEFAULT_INTERVAL,
            "Peer health follows SWIM: every probe_interval_ms this node probes one peer (round robin over a"
                    + " shuffled list; a peer that just answered a query is skipped), so each node sends one probe"
                    + " per period whatever the cluster's size. The protocol period, in milliseconds.");
    public static final ConfigKey<Duration> PROBE_TIMEOUT = ConfigKey.of(
            "cluster.probe_timeout_ms",
            millis(1, 599_999),
            MembershipConfig.DEFAULT_PROBE_TIMEOUT,
            "How long a probe waits for its answer before indirect_probes other peers are asked to try, in"
                    + " milliseconds, less than probe_interval_ms; when not set, 300 or half the period when that is"
                    + " shorter.");
    public static final ConfigKey<Integer> INDIRECT_PROBES = ConfigKey.of(
            "cluster.indirect_probes",
            integer(0, 16),
            MembershipConfig.DEFAULT_INDIRECT_PROBES,
            "How many peers probe a node that did not answer directly.");
    public static final ConfigKey<Duration> SUSPICION_TIMEOUT = ConfigKey.of(
            "cluster.suspicion_timeout_ms",
            millis(1, 3_600_000),
            MembershipConfig.DEFAULT_SUSPICION_TIMEOUT,
            "How long a node that no one could reach stays suspect (still used) before it is declared dead, in"
                    + " milliseconds. A suspected node that is alive refutes it; a pause shorter than this evicts no"
                    + " one. A killed node is reported unreachable by every peer within about 3 periods plus this"
                    + " (5 s with the defaults).");

    public static final ConfigKey<String> NODE_ID = ConfigKey.withoutDefault(
            "cluster.nodes[].id", string(), "The node's id (node.id of its own configuration).");
    public static final ConfigKey<String> NODE_URL = ConfigKey.withoutDefault(
            "cluster.nodes[].url",
            string(),
            "Its base URL: http://host:port, or https://host:port with [tls]; its node.listen port must be this"
                    + " port.");
    public static final ConfigKey<String> NODE_TRANSPORT_URL = ConfigKey.withoutDefault(
            "cluster.nodes[].transport_url",
            string(),
            "Optional: its tcp address (tcp://host:port), instead of the one it announces.");

    public static final ConfigKey<String> SPACE_ID =
            ConfigKey.withoutDefault("cluster.spaces[].id", string(), "The space's id.");
    public static final ConfigKey<String> SPACE_PRIMARY =
            ConfigKey.withoutDefault("cluster.spaces[].primary", string(), "The node holding its primary copy.");
    public static final ConfigKey<List<String>> SPACE_REPLICAS =
            ConfigKey.of("cluster.spaces[].replicas", stringList(), List.of(), "The nodes holding its replicas.");

    public static final ConfigKey<Integer> DIMENSIONS =
            ConfigKey.of("engine.dimensions", integer(1, 65_536), 768, "Embedding width of every memory and cue.");
    public static final ConfigKey<String> DATA = ConfigKey.of(
            "engine.data",
            string(),
            "",
            "A JSON Lines file of memories, one per line (fields: docs/DATA.md); relative to this file. Empty: no"
                    + " file.");
    public static final ConfigKey<List<String>> SPACES = ConfigKey.of(
            "engine.spaces",
            stringList(),
            List.of(),
            "The spaces of the data file, when [[cluster.spaces]] lists none.");

    public static final ConfigKey<Integer> SYNTHETIC_SPACES = ConfigKey.of(
            "engine.synthetic.spaces", integer(1, SyntheticSpec.MAX_SPACES), 4, "Spaces generated (s1, s2, ...).");
    public static final ConfigKey<Integer> SYNTHETIC_MEMORIES = ConfigKey.of(
            "engine.synthetic.memories_per_space",
            integer(1, SyntheticSpec.MAX_MEMORIES_PER_SPACE),
            1000,
            "Memories generated per space.");
    public static final ConfigKey<Integer> SYNTHETIC_CLUSTERS = ConfigKey.of(
            "engine.synthetic.clusters",
            integer(1, 1_000_000),
            8,
            "Clusters the embeddings of a space gather around (at most memories_per_space).");
    public static final ConfigKey<Integer> SYNTHETIC_EDGES = ConfigKey.of(
            "engine.synthetic.edges_per_memory",
            integer(0, SyntheticSpec.MAX_EDGES_PER_MEMORY),
            4,
            "Weighted edges from each memory.");
    public static final ConfigKey<Double> SYNTHETIC_CROSS_SPACE = ConfigKey.of(
            "engine.synthetic.cross_space_edge_fraction",
            decimal(0.0, 1.0),
            0.0,
            "Share of edges that lead to another space.");
    public static final ConfigKey<Long> SYNTHETIC_SEED = ConfigKey.of(
            "engine.synthetic.seed",
            longInteger(Long.MIN_VALUE, Long.MAX_VALUE),
            42L,
            "Seed of the generator: the same on every node gives every node the same data.");

    public static final ConfigKey<Integer> MAX_BODY_BYTES = ConfigKey.of(
            "http.max_body_bytes",
            integer(1024, 256 << 20),
            1 << 20,
            "Largest request body accepted, in bytes; larger ones get 413.");
    public static final ConfigKey<String> API_TOKEN_FILE = ConfigKey.of(
            "http.api_token_file",
            string(),
            "",
            "File holding a token that POST /v1/query then requires (Authorization: Bearer ...). ENGRAM_API_TOKEN,"
                    + " when set, wins. Never logged. Empty: none (allowed on loopback only).");
    public static final ConfigKey<Duration> STOP_TIMEOUT = ConfigKey.of(
            "http.stop_timeout_ms",
            millis(0, 600_000),
            Duration.ofSeconds(5),
            "On SIGTERM: how long in-flight queries may finish before the node exits, in milliseconds.");
    public static final ConfigKey<Integer> MAX_CONCURRENT_QUERIES = ConfigKey.of(
            "http.max_concurrent_queries",
            integer(0, 100_000),
            0,
            "Client queries (POST /v1/query) this node coordinates at once; one more is answered at once with 429"
                    + " Too Many Requests, Retry-After: 1 and a problem+json body, instead of waiting. 0 = 8 per"
                    + " core.");

    public static final ConfigKey<String> TRANSPORT_TYPE = ConfigKey.of(
            "transport.type",
            choice(List.of("tcp", "http")),
            "tcp",
            "How this node calls its peers: \"tcp\" (a binary protocol on a port of its own, node.transport_listen)"
                    + " or \"http\" (the nodes' HTTP port). Clients always use HTTP. With [tls] both speak TLS with"
                    + " the same certificates. A peer whose tcp address is not known yet, or that announces none, is"
                    + " called over HTTP.");

    /**
     * The sections of every key a node reads, in the order {@code config/default.toml} shows them: the node runtime's,
     * TLS's, each transport's on the class path ({@code [transport.<name>]}, by name), the query layer's.
     */
    public static List<ConfigSection> sections() {
        return Holder.SECTIONS;
    }

    /** Every key a node reads. */
    public static ConfigRegistry registry() {
        return Holder.REGISTRY;
    }

    /** The settings of the transports on the class path, which the node reads and hands to them typed. */
    static List<ConfigKey<?>> transportKeys() {
        return Holder.TRANSPORT_KEYS;
    }

    /** Built on first use: the transports' keys come from the plugins on the class path. */
    private static final class Holder {
        private static final List<ConfigSection> TRANSPORTS = transportSections();
        private static final List<ConfigKey<?>> TRANSPORT_KEYS = TRANSPORTS.stream()
                .<ConfigKey<?>>flatMap(section -> section.keys().stream())
                .toList();
        private static final List<ConfigSection> SECTIONS = allSections(TRANSPORTS);
        private static final ConfigRegistry REGISTRY = ConfigRegistry.of(SECTIONS);
    }

    /**
     * One {@code [transport.<name>]} table per transport of the class path's plugins that brings settings, by name. A
     * transport in {@code node.plugins_directory} is loaded after the configuration is read, so its settings can not
     * be set (they are reported as unknown keys): it reads its defaults.
     */
    private static List<ConfigSection> transportSections() {
        Map<String, List<ConfigKey<?>>> keysByTransport = new TreeMap<>();
        for (QueryPlugin plugin : ServiceLoader.load(QueryPlugin.class, NodeKeys.class.getClassLoader())) {
            for (TransportFactory factory : plugin.transportFactories()) {
                if (!factory.configKeys().isEmpty()) {
                    keysByTransport.put(factory.name(), factory.configKeys());
                }
            }
        }
        List<ConfigSection> sections = new ArrayList<>();
        keysByTransport.forEach((name, keys) ->
                sections.add(new ConfigSection("transport." + name, ConfigSection.Kind.TABLE, "", keys, Map.of())));
        return sections;
    }

    private static List<ConfigSection> allSections(List<ConfigSection> transports) {
        List<ConfigSection> sections = new ArrayList<>();
        sections.add(ConfigSection.table("node", "", ID, LISTEN, PLUGINS_DIRECTORY, TRANSPORT_LISTEN)
                .withExample(ID, "\"n1\""));
        sections.add(ConfigSection.table(
                "cluster",
                "",
                REPLICATION_FACTOR,
                TOKEN_FILE,
                PROBE_INTERVAL,
                PROBE_TIMEOUT,
                INDIRECT_PROBES,
                SUSPICION_TIMEOUT));
        sections.add(ConfigSection.arrayOfTables(
                        "cluster.nodes",
                        "One table per node, this one included; with none listed the cluster is this node alone"
                                + " (its url then comes from node.listen).",
                        NODE_ID,
                        NODE_URL,
                        NODE_TRANSPORT_URL)
                .withExample(NODE_ID, "\"n1\"")
                .withExample(NODE_URL, "\"http://127.0.0.1:7401\"")
                .withExample(NODE_TRANSPORT_URL, "\"tcp://127.0.0.1:7411\""));
        sections.add(ConfigSection.arrayOfTables(
                        "cluster.spaces",
                        "Optional explicit assignments; without them spaces are spread by rendezvous hashing of the"
                                + " space id.",
                        SPACE_ID,
                        SPACE_PRIMARY,
                        SPACE_REPLICAS)
                .withExample(SPACE_ID, "\"s1\"")
                .withExample(SPACE_PRIMARY, "\"n1\""));
        sections.add(ConfigSection.table("engine", "", DIMENSIONS, DATA, SPACES));
        sections.add(ConfigSection.optionalTable(
                "engine.synthetic",
                "Or generated data, the same on every node (set its spaces to enable):",
                SYNTHETIC_SPACES,
                SYNTHETIC_MEMORIES,
                SYNTHETIC_CLUSTERS,
                SYNTHETIC_EDGES,
                SYNTHETIC_CROSS_SPACE,
                SYNTHETIC_SEED));
        sections.add(
                ConfigSection.table("http", "", MAX_BODY_BYTES, API_TOKEN_FILE, STOP_TIMEOUT, MAX_CONCURRENT_QUERIES));
        sections.add(TlsConfig.SECTION);
        sections.add(ConfigSection.table("transport", "", TRANSPORT_TYPE));
        sections.addAll(transports);
        sections.addAll(QueryKeys.SECTIONS);
        return List.copyOf(sections);
    }

    /** The comment that opens {@code config/default.toml}. */
    public static final String TOML_HEADER = "Engram Query: every configuration key with its default. Written from"
            + " the key definitions (NodeKeys.registry()); DefaultTomlTest checks that it matches them.\n"
            + "\n"
            + "A node reads the whole file (engram-query serve --config FILE); a host application embedding"
            + " EngramQueryModule reads only the [query] section (QueryConfig.load). node.id has no default: set it.\n"
            + "\n"
            + "Any key can be overridden by a system property (engram.<key>, e.g. -Dengram.query.max_fanout=16) or"
            + " an environment variable (ENGRAM_<KEY> with dots as underscores, e.g. ENGRAM_QUERY_MAX_FANOUT=16);"
            + " the environment wins over system properties, both win over the file. An override that names no key"
            + " is an error naming the nearest key.\n"
            + "Problems are reported together at start; an unknown key is an error naming the nearest known key.";
}
