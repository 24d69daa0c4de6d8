package io.engram.query.benchmarks.processes;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.transport.http.node.NodeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;

/**
 * One deployment of node processes, each its own JVM started from the runnable {@code engram-query.jar} ({@code serve
 * --config <node>.toml}) on a free loopback port, with the same synthetic data spec on every node (so a space's
 * memories and edges are the same whichever node generates it), an explicit space assignment without replicas and a
 * random cluster token. It owns the processes: {@link #close()} stops them (SIGTERM, then SIGKILL) and a JVM shutdown
 * hook kills them should this JVM exit first.
 */
final class NodeProcesses implements AutoCloseable {
    /** The node JVM's options: what {@code bin/engram-query} starts a node with. */
    static final List<String> JVM_OPTIONS = List.of("-Xmx512m");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long START_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(90);

    private final String name;
    private final Path dir;
    private final String transport;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Thread shutdownHook;

    /**
     * Starts {@code spacesByNode}'s nodes (the first is the one clients ask) in {@code dir}, calling each other over
     * {@code transport} ({@code transport.type}), and waits until each answers {@code /cluster/health} and shows every
     * peer called over {@code transport}.
     */
    static NodeProcesses start(
            String name,
            Path dir,
            Path jar,
            SyntheticSpec data,
            Map<String, List<String>> spacesByNode,
            String transport,
            Map<String, String> extraToml,
            HttpClient http)
            throws IOException {
        NodeProcesses nodes = new NodeProcesses(name, dir, spacesByNode.keySet(), transport);
        try {
            nodes.launch(jar, data, spacesByNode, extraToml);
            nodes.awaitHealthy(http);
            nodes.awaitPeersOverTransport(http);
            return nodes;
        } catch (IOException | RuntimeException e) {
            nodes.close();
            throw e;
        }
    }

    private NodeProcesses(String name, Path dir, Iterable<String> nodeIds, String transport) throws IOException {
        this.name = requireNonNull(name, "name is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.dir = Files.createDirectories(dir.toAbsolutePath());
        for (String node : nodeIds) {
            ports.put(node, freePort());
        }
        this.shutdownHook = new Thread(this::killAll, "node-processes-" + name + "-cleanup");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    String name() {
        return name;
    }

    /** The node clients send their queries to (the first one given). */
    URI entry() {
        return url(ports.keySet().iterator().next());
    }

    URI url(String node) {
        return URI.create("http://127.0.0.1:" + ports.get(node));
    }

    /** Node id to process id, in the order given. */
    Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        processes.forEach((node, process) -> pids.put(node, process.pid()));
        return pids;
    }

    /** The configuration of {@code node}: one TOML file, the {@code [cluster]} section the same on every node. */
    String config(
            String node,
            Path tokenFile,
            SyntheticSpec data,
            Map<String, List<String>> spacesByNode,
            Map<String, String> extraToml) {
        StringBuilder toml = new StringBuilder();
        toml.append("[node]\nid = \"").append(node).append("\"\n");
        toml.append("listen = \"127.0.0.1:").append(ports.get(node)).append("\"\n\n");
        toml.append("[cluster]\nreplication_factor = 1\n");
        toml.append("token_file = \"").append(tokenFile).append("\"\n");
        ports.forEach((n, port) -> toml.append("[[cluster.nodes]]\nid = \"")
                .append(n)
                .append("\"\nurl = \"")
                .append(url(n))
                .append("\"\n"));
        spacesByNode.forEach((n, spaces) -> spaces.forEach(space -> toml.append("[[cluster.spaces]]\nid = \"")
                .append(space)
                .append("\"\nprimary = \"")
                .append(n)
                .append("\"\nreplicas = []\n")));
        toml.append('\n').append(NodeConfig.engineToml(data));
        toml.append("\n[transport]\ntype = \"").append(transport).append("\"\n\n");
        extraToml.forEach((table, body) ->
                toml.append('[').append(table).append("]\n").append(body).append("\n\n"));
        return toml.toString();
    }

    private void launch(
            Path jar, SyntheticSpec data, Map<String, List<String>> spacesByNode, Map<String, String> extraToml)
            throws IOException {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        Path tokenFile = dir.resolve("cluster.token");
        Files.writeString(tokenFile, HexFormat.of().formatHex(secret));
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        String java = ProcessHandle.current().info().command().orElse("java");
        for (String node : ports.keySet()) {
            Path config = dir.resolve(node + ".toml");
            Files.writeString(config, config(node, tokenFile, data, spacesByNode, extraToml));
            List<String> command = new ArrayList<>();
            command.add(java);
            command.addAll(JVM_OPTIONS);
            command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "serve", "--config", config.toString()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log(node).toFile()));
            // an ENGRAM_* variable of the caller's shell would override the configuration written here
            builder.environment().keySet().removeIf(k -> k.startsWith("ENGRAM_"));
            synchronized (processes) {
                processes.put(node, builder.start());
            }
        }
    }

    private Path log(String node) {
        return dir.resolve(node + ".log");
    }

    private void awaitHealthy(HttpClient http) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        for (String node : ports.keySet()) {
            Process process = processes.get(node);
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("node " + node + " of " + name + " exited with "
                            + process.exitValue() + "; its log: " + Files.readString(log(node)));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("node " + node + " of " + name + " was not healthy within "
                            + TimeUnit.NANOSECONDS.toSeconds(START_TIMEOUT_NANOS) + " s; its log: " + log(node));
                }
                try {
                    if (http.newRequest(url(node).resolve("/cluster/health"))
                                    .timeout(2, TimeUnit.SECONDS)
                                    .send()
                                    .getStatus()
                            == 200) {
                        break;
                    }
                } catch (ExecutionException | TimeoutException notYet) {
                    // not listening yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for node " + node, e);
                }
                sleep(50); // polling a starting process: there is nothing to wait on
            }
        }
    }

    /**
     * Waits until every node's {@code /cluster/health} shows each peer called over {@link #transport}: a node calls a
     * peer over HTTP until it has read the peer's tcp address from the peer's health, and queries measured before that
     * would be HTTP ones.
     */
    private void awaitPeersOverTransport(HttpClient http) throws IOException {
        if (ports.size() < 2) {
            return;
        }
        long deadline = System.nanoTime() + START_TIMEOUT_NANOS;
        for (String node : ports.keySet()) {
            String last = "no answer";
            while (true) {
                try {
                    String body = http.newRequest(url(node).resolve("/cluster/health"))
                            .timeout(2, TimeUnit.SECONDS)
                            .send()
                            .getContentAsString();
                    last = body;
                    if (allPeersOver(transport, JSON.readTree(body), ports.size() - 1)) {
                        break;
                    }
                } catch (ExecutionException | TimeoutException notYet) {
                    last = notYet.toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for node " + node, e);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("node " + node + " of " + name + " did not call every peer over "
                            + transport + " within " + TimeUnit.NANOSECONDS.toSeconds(START_TIMEOUT_NANOS)
                            + " s; its health: " + last);
                }
                sleep(100); // the lookup runs in the node: there is nothing to wait on
            }
        }
    }

    /** Whether {@code health} lists {@code peers} peers, each called over {@code transport}. */
    static boolean allPeersOver(String transport, JsonNode health, int peers) {
        JsonNode listed = health.path("peers");
        if (listed.size() != peers) {
            return false;
        }
        for (JsonNode peer : listed) {
            if (!transport.equals(peer.path("transport").asText())) {
                return false;
            }
        }
        return true;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void killAll() {
        synchronized (processes) {
            processes.values().forEach(Process::destroyForcibly);
        }
    }

    /** Stops every node (SIGTERM, then SIGKILL after 10 s) and fails when one is still alive. */
    @Override
    public void close() {
        List<Process> all;
        synchronized (processes) {
            all = new ArrayList<>(processes.values());
        }
        all.stream().filter(Process::isAlive).forEach(Process::destroy);
        for (Process p : all) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        List<Long> alive =
                all.stream().filter(Process::isAlive).map(Process::pid).toList();
        if (!alive.isEmpty()) {
            throw new IllegalStateException("node processes of " + name + " left behind: " + alive);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
