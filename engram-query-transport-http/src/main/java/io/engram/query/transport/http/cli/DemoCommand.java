package io.engram.query.transport.http.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.planner.embedded.StaticSpaceDirectory;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.transport.http.node.NodeConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code demo}: the newcomer's first run. Starts a 3-node cluster as separate processes on free loopback ports with a
 * random cluster token and synthetic data (6 spaces, replication factor 2), runs a recall across all spaces, kills
 * one node (coverage stays full through replicas), kills a second (a partial answer with lowered confidence and the
 * missing partitions named), prints the coordinator's statistics, and stops everything, also on Ctrl-C.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run a 3-node cluster, lose two nodes, watch confidence fall.")
final class DemoCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int NODES = 3;

    @Option(
            names = "--memories-per-space",
            defaultValue = "2000",
            description = "synthetic memories per space (default 2000)")
    int memoriesPerSpace;

    @Option(names = "--dimensions", defaultValue = "128", description = "embedding dimensions (default 128)")
    int dimensions;

    @Option(names = "--keep", description = "keep the working folder (configurations and node logs)")
    boolean keep;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final List<Process> processes = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("engram-demo-");
        Thread cleanup = new Thread(() -> stopAll(dir), "engram-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            return run(out, dir);
        } finally {
            stopAll(dir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook is running or ran; nothing left to do
            }
        }
    }

    private int run(PrintWriter out, Path dir) throws Exception {
        SyntheticSpec data = new SyntheticSpec(6, memoriesPerSpace, dimensions, 8, 4, 7);
        List<MemorySpaceId> spaces = new SyntheticDataGenerator(data).spaces();
        Map<NodeId, Integer> ports = new LinkedHashMap<>();
        for (int i = 1; i <= NODES; i++) {
            ports.put(NodeId.of("n" + i), freePort());
        }
        List<NodeId> nodes = new ArrayList<>(ports.keySet());
        StaticSpaceDirectory directory = StaticSpaceDirectory.rendezvous(spaces, nodes, 2);
        Roles roles = roles(directory, nodes);

        Path tokenFile = dir.resolve("cluster.token");
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        Files.writeString(tokenFile, HexFormat.of().formatHex(secret));
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));

        out.println("== Engram Query demo: 3 nodes, 6 spaces x " + memoriesPerSpace + " memories x " + dimensions
                + " dims, replication factor 2 (working folder " + dir + ")");
        for (SpaceAssignment a : directory.assignments()) {
            out.println("   " + a.space() + " -> primary " + a.primary() + ", replica " + a.replicas());
        }
        Map<NodeId, Process> byNode = new LinkedHashMap<>();
        for (NodeId node : nodes) {
            Path config = dir.resolve(node + ".toml");
            Files.writeString(config, config(node, ports, data, tokenFile));
            byNode.put(node, start(node, config, dir.resolve(node + ".log")));
        }
        for (NodeId node : nodes) {
            awaitHealthy(node, ports.get(node), byNode.get(node), dir.resolve(node + ".log"));
        }
        out.println("== all nodes up; " + roles.coordinator + " coordinates every query");
        out.flush();

        NodeClient coordinator = new NodeClient("http://127.0.0.1:" + ports.get(roles.coordinator), Optional.empty());
        byte[] query = recallQuery(data);

        out.println();
        out.println("== 1. recall across all 6 spaces (a broadcast), every node up");
        printAnswer(out, coordinator.postQuery(query));

        out.println();
        out.println("== 2. kill -9 " + roles.firstVictim + ": its spaces are answered by their replicas");
        kill(byNode.get(roles.firstVictim));
        printAnswer(out, coordinator.postQuery(query));

        out.println();
        out.println("== 3. kill -9 " + roles.secondVictim + " too: " + roles.lost
                + " had both copies on the dead nodes; the answer is partial, its confidence lowered, nothing fails");
        kill(byNode.get(roles.secondVictim));
        printAnswer(out, coordinator.postQuery(query));

        awaitReachable(coordinator, 1, 5);
        out.println();
        out.println("== 4. stats of " + roles.coordinator + " (engram-query stats --node http://127.0.0.1:"
                + ports.get(roles.coordinator) + ")");
        NodeClient.Response health = coordinator.health();
        out.print(Tables.health(health.body()));

        out.println();
        Process last = byNode.get(roles.coordinator);
        last.destroy();
        boolean exited = last.waitFor(15, TimeUnit.SECONDS);
        out.println("== 5. stopped " + roles.coordinator + " with SIGTERM: "
                + (exited ? "exit code " + last.exitValue() : "did not exit in 15 s") + "; all processes gone");
        out.flush();
        return EngramQueryCli.OK;
    }

    private static void printAnswer(PrintWriter out, NodeClient.Response response) {
        if (response.status() != 200) {
            out.println("query answered " + response.status() + ": " + response.body());
        } else {
            out.print(Tables.answer(response.body()));
        }
        out.flush();
    }

    /** Who coordinates and who dies: two victims that hold both copies of at least one space. */
    private record Roles(NodeId coordinator, NodeId firstVictim, NodeId secondVictim, List<MemorySpaceId> lost) {}

    private static Roles roles(StaticSpaceDirectory directory, List<NodeId> nodes) {
        for (NodeId coordinator : nodes) {
            List<NodeId> others =
                    nodes.stream().filter(n -> !n.equals(coordinator)).toList();
            List<MemorySpaceId> lost = directory.assignments().stream()
                    .filter(a -> !a.isHeldBy(coordinator))
                    .map(SpaceAssignment::space)
                    .toList();
            if (!lost.isEmpty()) {
                return new Roles(coordinator, others.get(0), others.get(1), lost);
            }
        }
        throw new IllegalStateException("every space has a copy on every node; nothing to lose");
    }

    private static byte[] recallQuery(SyntheticSpec data) throws IOException {
        SyntheticDataGenerator generator = new SyntheticDataGenerator(data);
        float[] cue = generator
                .memories(SyntheticDataGenerator.spaceName(1))
                .get(0)
                .embedding()
                .toArray();
        ObjectNode query = JSON.createObjectNode();
        query.put("type", "recall");
        query.putArray("spaces");
        ArrayNode embedding = query.putObject("cue").putArray("embedding");
        for (float v : cue) {
            embedding.add(v);
        }
        query.put("limit", 5);
        query.put("timeout_ms", 1500);
        return JSON.writeValueAsBytes(query);
    }

    private static String config(NodeId node, Map<NodeId, Integer> ports, SyntheticSpec data, Path tokenFile) {
        StringBuilder toml = new StringBuilder();
        toml.append("[node]\nid = \"").append(node).append("\"\n");
        toml.append("listen = \"127.0.0.1:").append(ports.get(node)).append("\"\n\n");
        toml.append("[cluster]\nreplication_factor = 2\nprobe_interval_ms = 300\n");
        toml.append("token_file = \"").append(tokenFile.toAbsolutePath()).append("\"\n");
        ports.forEach((n, port) -> toml.append("[[cluster.nodes]]\nid = \"")
                .append(n)
                .append("\"\nurl = \"http://127.0.0.1:")
                .append(port)
                .append("\"\n"));
        toml.append('\n').append(NodeConfig.engineToml(data));
        toml.append("[query]\nscatter_timeout_ms = 1500\n");
        toml.append("[http]\nstop_timeout_ms = 2000\n");
        return toml.toString();
    }

    private Process start(NodeId node, Path config, Path log) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(
                        java,
                        "-Xmx384m",
                        "-XX:+UseSerialGC",
                        "-XX:TieredStopAtLevel=1",
                        "-cp",
                        System.getProperty("java.class.path"),
                        EngramQueryCli.class.getName(),
                        "serve",
                        "--config",
                        config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("ENGRAM_CLUSTER_TOKEN");
        // the demo's loopback nodes keep /v1/query open, whatever token the caller's shell holds
        builder.environment().remove(NodeConfig.API_TOKEN_VARIABLE);
        Process process = builder.start();
        synchronized (processes) {
            processes.add(process);
        }
        return process;
    }

    private static void awaitHealthy(NodeId node, int port, Process process, Path log) throws Exception {
        NodeClient client = new NodeClient("http://127.0.0.1:" + port, Optional.empty());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "node " + node + " exited with " + process.exitValue() + ": " + lastLine(log));
            }
            try {
                if (client.health().status() == 200) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("node " + node + " was not healthy within 60 s: " + lastLine(log));
    }

    /** Waits (bounded) until the coordinator's probes see only {@code expected} reachable nodes. */
    private static void awaitReachable(NodeClient client, int expected, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (client.health().body().path("partition").path("reachable_nodes").asInt() <= expected) {
                return;
            }
            Thread.sleep(100);
        }
    }

    private static String lastLine(Path log) {
        try (Stream<String> lines = Files.lines(log)) {
            return lines.reduce((a, b) -> b).orElse("(no output)");
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void kill(Process process) throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private void stopAll(Path dir) {
        List<Process> all;
        synchronized (processes) {
            all = new ArrayList<>(processes);
            processes.clear();
        }
        for (Process p : all) {
            if (p.isAlive()) {
                p.destroy();
            }
        }
        for (Process p : all) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (!keep) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // best effort: a temp folder left behind is harmless
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
