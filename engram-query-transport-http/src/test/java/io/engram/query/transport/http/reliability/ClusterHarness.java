package io.engram.query.transport.http.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.awaitility.Awaitility;

/**
 * A real multi-process cluster for integration tests: every node is its own JVM started from the shaded
 * {@code engram-query.jar} ({@code serve --config nX.toml}) on a free loopback port, with synthetic data, an explicit
 * space assignment and a random cluster token. Nodes can be killed ({@code kill -9}), frozen ({@code SIGSTOP}),
 * thawed ({@code SIGCONT}) and restarted on the same port. {@link #close()} (and a JVM shutdown hook, should the test
 * JVM die first) stops every process it started and checks that none is left.
 */
final class ClusterHarness implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int DIMENSIONS = 16;
    /**
     * How the nodes call each other, {@code tcp} (the default) or {@code http}: the build runs the integration tests
     * once with each ({@code -Dengram.it.transport}).
     */
    static final String TRANSPORT = System.getProperty("engram.it.transport", "tcp");

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final String token;
    private final Map<String, Integer> ports;
    /** Where each node's tcp transport listens (fixed, so a restarted node and a proxy keep it). */
    private final Map<String, Integer> tcpPorts;

    private final Map<String, Map<String, URI>> tcpOverrides;
    private final Map<String, URI> external;
    private final Map<String, Map<String, URI>> urlOverrides;
    private final Map<String, List<String>> spaces;
    private final Map<String, String> settings;
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final Set<String> frozen = ConcurrentHashMap.newKeySet();
    private final List<Process> everStarted = new ArrayList<>();
    private final Thread shutdownHook;
    private final HttpClient http;
    private final String scheme;

    private ClusterHarness(Builder builder) throws IOException {
        // one directory per transport: the build runs the suite once with each, and the second must not erase the
        // first one's logs
        this.dir = Files.createDirectories(Path.of(builder.dir.toAbsolutePath() + "-" + TRANSPORT));
        try (Stream<Path> old = Files.list(dir)) {
            for (Path f : old.toList()) {
                Files.deleteIfExists(f); // logs and configs of an earlier run
            }
        }
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        this.token = HexFormat.of().formatHex(secret);
        Files.writeString(dir.resolve("cluster.token"), token);
        this.ports = new LinkedHashMap<>();
        this.tcpPorts = new LinkedHashMap<>();
        for (String node : builder.nodes) {
            ports.put(node, freePort());
            tcpPorts.put(node, freePort());
        }
        this.tcpOverrides = Map.copyOf(builder.tcpOverrides);
        this.external = Map.copyOf(builder.external);
        this.urlOverrides = Map.copyOf(builder.urlOverrides);
        this.spaces = new LinkedHashMap<>(builder.spaces);
        this.settings = new TreeMap<>(builder.settings);
        HttpClient.Builder http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .executor(Executors.newFixedThreadPool(4, daemon()));
        builder.tls.ifPresent(http::sslContext);
        this.http = http.build();
        this.scheme = builder.tls.isPresent() ? "https" : "http";
        this.shutdownHook = new Thread(this::killAll, "cluster-harness-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Starts every node that is not external and waits until each answers {@code /cluster/health}. */
    ClusterHarness start() throws Exception {
        for (String node : ports.keySet()) {
            launch(node);
        }
        for (String node : ports.keySet()) {
            awaitHealthy(node);
        }
        if (usesTcp()) {
            for (String node : ports.keySet()) {
                awaitPeersOverTcp(node);
            }
        }
        return this;
    }

    /**
     * Until {@code node} calls every other started node over tcp (it learns their addresses from their health): a
     * test then exercises the tcp transport from its first query, not the HTTP calls made before the addresses are
     * known.
     */
    private void awaitPeersOverTcp(String node) {
        Awaitility.await()
                .atMost(START_TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    JsonNode peers = health(node).path("peers");
                    for (JsonNode peer : peers) {
                        String id = peer.path("node").asText();
                        if (ports.containsKey(id)
                                && !"tcp".equals(peer.path("transport").asText())) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    String token() {
        return token;
    }

    Path dir() {
        return dir;
    }

    int port(String node) {
        return ports.get(node);
    }

    /** The port node-to-node calls to {@code node} go to: its tcp transport's, or with http its HTTP port. */
    int peerPort(String node) {
        return usesTcp() ? tcpPorts.get(node) : ports.get(node);
    }

    private boolean usesTcp() {
        return TRANSPORT.equals("tcp");
    }

    URI url(String node) {
        return URI.create(scheme + "://127.0.0.1:" + port(node));
    }

    Path log(String node) {
        return dir.resolve(node + ".log");
    }

    long pid(String node) {
        return process(node).pid();
    }

    Process process(String node) {
        return requireNonNull(processes.get(node), "node " + node + " is not running");
    }

    HttpClient http() {
        return http;
    }

    /** {@code kill -9}: the process dies at once, its connections are reset by the kernel. */
    void kill(String node) throws InterruptedException {
        Process p = processes.remove(node);
        frozen.remove(node);
        p.destroyForcibly();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("node " + node + " survived kill -9");
        }
    }

    /** {@code kill -STOP}: the process keeps its sockets open but answers nothing. */
    void freeze(String node) throws Exception {
        signal(node, "-STOP");
        frozen.add(node);
    }

    /** {@code kill -CONT}. */
    void thaw(String node) throws Exception {
        signal(node, "-CONT");
        frozen.remove(node);
    }

    private void signal(String node, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(pid(node)))
                .redirectErrorStream(true)
                .start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill " + signal + " of " + node + " failed");
        }
    }

    /** Starts a stopped (killed) node again on its port and waits until it is healthy. */
    void restart(String node) throws Exception {
        if (processes.containsKey(node)) {
            throw new IllegalStateException("node " + node + " is still running");
        }
        launch(node);
        awaitHealthy(node);
    }

    /** POSTs a query to {@code node}'s {@code /v1/query} and times it from the outside. */
    QueryOutcome query(String node, String body) {
        HttpRequest request = HttpRequest.newBuilder(url(node).resolve("/v1/query"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            long wallMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            return QueryOutcome.of(response.statusCode(), response.body(), wallMs);
        } catch (IOException e) {
            return QueryOutcome.transportFailure(
                    e.toString(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode health(String node) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(url(node).resolve("/cluster/health"))
                .timeout(Duration.ofSeconds(5))
                .GET()
                .build();
        return JSON.readTree(
                http.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }

    /** A recall of the spaces named (all when none), cue taken from the synthetic data's first dimension. */
    static String recall(int timeoutMs, String... spaceIds) {
        StringBuilder cue = new StringBuilder();
        for (int i = 0; i < DIMENSIONS; i++) {
            cue.append(i == 0 ? "" : ",").append(i % 3 == 0 ? "0.5" : "0.1");
        }
        StringBuilder spaceList = new StringBuilder();
        for (String s : spaceIds) {
            spaceList
                    .append(spaceList.length() == 0 ? "" : ",")
                    .append('"')
                    .append(s)
                    .append('"');
        }
        return "{\"type\":\"recall\",\"spaces\":[" + spaceList + "],\"cue\":{\"embedding\":[" + cue
                + "]},\"limit\":5,\"timeout_ms\":" + timeoutMs + "}";
    }

    /** Threads of {@code node}'s JVM, from {@code /proc/<pid>/status}. */
    int threads(String node) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid(node)), "status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring("Threads:".length()).trim());
            }
        }
        throw new IllegalStateException("no Threads: line for " + node);
    }

    /** Open sockets of {@code node}'s JVM, from the links in {@code /proc/<pid>/fd}. */
    int sockets(String node) throws IOException {
        int count = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid(node)), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        count++;
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while listing
                }
            }
        }
        return count;
    }

    String config(String node) {
        StringBuilder toml = new StringBuilder();
        toml.append("[node]\nid = \"")
                .append(node)
                .append("\"\nlisten = \"127.0.0.1:")
                .append(ports.get(node))
                .append("\"\ntransport_listen = \"127.0.0.1:")
                .append(tcpPorts.get(node))
                .append("\"\n\n");
        Map<String, String> all = new TreeMap<>(settings);
        all.putIfAbsent("transport.type", "\"" + TRANSPORT + "\"");
        all.put("cluster.token_file", "\"" + dir.resolve("cluster.token") + "\"");
        all.put("engine.dimensions", Integer.toString(DIMENSIONS));
        all.put("engine.synthetic.spaces", Integer.toString(spaces.size()));
        all.putIfAbsent("engine.synthetic.memories_per_space", "200");
        all.putIfAbsent("engine.synthetic.clusters", "4");
        all.putIfAbsent("engine.synthetic.edges_per_memory", "2");
        all.putIfAbsent("engine.synthetic.seed", "7");
        Map<String, Map<String, String>> tables = new TreeMap<>();
        all.forEach((key, value) -> {
            int dot = key.lastIndexOf('.');
            tables.computeIfAbsent(key.substring(0, dot), t -> new TreeMap<>()).put(key.substring(dot + 1), value);
        });
        tables.forEach((table, entries) -> {
            toml.append('[').append(table).append("]\n");
            entries.forEach((k, v) -> toml.append(k).append(" = ").append(v).append('\n'));
        });
        Map<String, URI> overrides = urlOverrides.getOrDefault(node, Map.of());
        Map<String, URI> tcpRoutes = usesTcp() ? tcpOverrides.getOrDefault(node, Map.of()) : Map.of();
        Map<String, URI> urls = new LinkedHashMap<>();
        ports.keySet().forEach(n -> urls.put(n, url(n)));
        urls.putAll(external);
        urls.forEach((n, url) -> toml.append("[[cluster.nodes]]\nid = \"")
                .append(n)
                .append("\"\nurl = \"")
                .append(usesTcp() && tcpRoutes.containsKey(n) ? url : overrides.getOrDefault(n, url))
                .append("\"\n")
                .append(tcpRoutes.containsKey(n) ? "transport_url = \"" + tcpRoutes.get(n) + "\"\n" : ""));
        spaces.forEach((space, copies) -> {
            toml.append("[[cluster.spaces]]\nid = \"")
                    .append(space)
                    .append("\"\nprimary = \"")
                    .append(copies.get(0))
                    .append("\"\nreplicas = [");
            for (int i = 1; i < copies.size(); i++) {
                toml.append(i == 1 ? "" : ", ")
                        .append('"')
                        .append(copies.get(i))
                        .append('"');
            }
            toml.append("]\n");
        });
        return toml.toString();
    }

    private void launch(String node) throws IOException {
        Path config = dir.resolve(node + ".toml");
        Files.writeString(config, config(node));
        Process process = startJar(dir, List.of("serve", "--config", config.toString()), log(node));
        synchronized (everStarted) {
            everStarted.add(process);
        }
        processes.put(node, process);
    }

    /** Runs the jar in a small, fast-starting JVM, output appended to {@code log}. */
    static Process startJar(Path workDir, List<String> arguments, Path log) throws IOException {
        Path jar = jar();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx128m",
                "-Xss512k",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:-UsePerfData",
                "-jar",
                jar.toString()));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.startsWith("ENGRAM_"));
        return builder.start();
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("engram.jar", "target/engram-query.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    "the shaded jar " + jar.toAbsolutePath() + " is missing; run the package phase first");
        }
        return jar;
    }

    private void awaitHealthy(String node) throws Exception {
        Process process = process(node);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "node " + node + " exited with " + process.exitValue() + ": " + Files.readString(log(node)));
            }
            try {
                HttpRequest request = HttpRequest.newBuilder(url(node).resolve("/cluster/health"))
                        .timeout(Duration.ofSeconds(2))
                        .GET()
                        .build();
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50); // polling a starting process; there is nothing to wait on
        }
        throw new IllegalStateException("node " + node + " was not healthy within " + START_TIMEOUT);
    }

    private void killAll() {
        List<Process> all;
        synchronized (everStarted) {
            all = new ArrayList<>(everStarted);
        }
        all.forEach(Process::destroyForcibly);
    }

    /** Stops every node (SIGTERM, then SIGKILL) and fails when any process it started is still alive. */
    @Override
    public void close() throws Exception {
        for (String node : new ArrayList<>(frozen)) {
            try {
                thaw(node);
            } catch (Exception e) {
                // it is killed below anyway
            }
        }
        List<Process> all;
        synchronized (everStarted) {
            all = new ArrayList<>(everStarted);
        }
        all.stream().filter(Process::isAlive).forEach(Process::destroy);
        for (Process p : all) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        processes.clear();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        List<Long> alive =
                all.stream().filter(Process::isAlive).map(Process::pid).toList();
        Set<Long> started = Set.copyOf(all.stream().map(Process::pid).toList());
        List<Long> children = ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .map(ProcessHandle::pid)
                .filter(started::contains)
                .toList();
        if (!alive.isEmpty() || !children.isEmpty()) {
            throw new IllegalStateException("node processes left behind: " + alive + " " + children);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "cluster-harness-http");
            t.setDaemon(true);
            return t;
        };
    }

    static String read(Path file) {
        try {
            return Files.readString(file, UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** What the cluster looks like: nodes, space copies (primary first), external nodes, config overrides. */
    static final class Builder {
        private final Path dir;
        private final List<String> nodes = new ArrayList<>();
        private final Map<String, URI> external = new LinkedHashMap<>();
        private final Map<String, Map<String, URI>> urlOverrides = new LinkedHashMap<>();
        private final Map<String, Map<String, URI>> tcpOverrides = new LinkedHashMap<>();
        private final Map<String, List<String>> spaces = new LinkedHashMap<>();
        private final Map<String, String> settings = new LinkedHashMap<>();
        private Optional<SSLContext> tls = Optional.empty();

        private Builder(Path dir) {
            this.dir = dir;
            // Peer health as quick as the old prober's (three failed 200 ms probes): a frozen node is declared dead
            // within about a second, which the node-failure tests count on; MembershipIT sets the defaults itself.
            settings.put("cluster.probe_interval_ms", "200");
            settings.put("cluster.suspicion_timeout_ms", "600");
            settings.put("query.scatter_timeout_ms", "1000");
            settings.put("query.circuit_breaker.failure_threshold", "3");
            settings.put("query.circuit_breaker.reset_timeout_ms", "1000");
            settings.put("http.stop_timeout_ms", "1000");
        }

        Builder nodes(String... ids) {
            nodes.addAll(List.of(ids));
            return this;
        }

        /** A node the harness does not start (a fake peer), listed in every node's configuration. */
        Builder external(String id, URI url) {
            external.put(id, url);
            return this;
        }

        /** In {@code node}'s configuration, {@code peer} is reached at {@code url} (a proxy). */
        Builder route(String node, String peer, URI url) {
            urlOverrides.computeIfAbsent(node, n -> new LinkedHashMap<>()).put(peer, url);
            return this;
        }

        /**
         * In {@code node}'s configuration, {@code peer}'s node-to-node calls go through {@code proxy}: its tcp
         * transport's ({@code transport_url}) when the nodes use tcp, else its HTTP URL. Point the proxy at
         * {@link ClusterHarness#peerPort}.
         */
        Builder routeThroughProxy(String node, String peer, FaultProxy proxy) {
            tcpOverrides
                    .computeIfAbsent(node, n -> new LinkedHashMap<>())
                    .put(peer, URI.create("tcp://127.0.0.1:" + proxy.url().getPort()));
            return route(node, peer, proxy.url());
        }

        /** Space {@code s<n>} (in order of calls) held by {@code copies}, primary first. */
        Builder space(String... copies) {
            spaces.put("s" + (spaces.size() + 1), List.of(copies));
            return this;
        }

        /**
         * Nodes serve https (their {@code tls.*} keys are given with {@link #set}); the harness's client uses {@code
         * client}, which must trust their CA.
         */
        Builder tls(SSLContext client) {
            this.tls = Optional.of(client);
            return this;
        }

        /** A configuration key (dotted) with its TOML literal value. */
        Builder set(String key, String tomlValue) {
            settings.put(key, tomlValue);
            return this;
        }

        ClusterHarness start() throws Exception {
            ClusterHarness harness = new ClusterHarness(this);
            try {
                return harness.start();
            } catch (Exception | Error e) {
                harness.close();
                throw e;
            }
        }
    }
}
