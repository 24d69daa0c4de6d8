package io.engram.query.transport.http.node;

import static java.util.Objects.requireNonNull;

import io.engram.query.executor.engine.SyntheticSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Real {@link EngramNode}s on loopback in one JVM. Every node's configuration lists every node's URL, so ports are
 * picked free before any node starts; when another process takes one in between, the whole cluster starts once more
 * on fresh ports. {@link #close()} closes every node that is still running.
 */
final class LoopbackCluster implements AutoCloseable {
    /** Short, so that closing nodes that clients keep connections to does not slow the tests. */
    static final int STOP_TIMEOUT_MS = 200;

    private final Map<String, EngramNode> nodes;
    private final List<EngramNode> closed = new ArrayList<>();

    private LoopbackCluster(Map<String, EngramNode> nodes) {
        this.nodes = nodes;
    }

    static Builder builder(SyntheticSpec spec) {
        return new Builder(spec);
    }

    EngramNode node(String id) {
        EngramNode node = nodes.get(id);
        if (node == null) {
            throw new IllegalArgumentException("no node '" + id + "'; nodes: " + nodes.keySet());
        }
        return node;
    }

    /** Closes one node, as if it died; {@link #close()} will not close it again. */
    void stop(String id) {
        EngramNode node = node(id);
        if (!closed.contains(node)) {
            closed.add(node);
            node.close();
        }
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (EngramNode node : nodes.values()) {
            if (closed.contains(node)) {
                continue;
            }
            closed.add(node);
            try {
                node.close();
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

    /** A free loopback port at the time of the call. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static URI url(int port) {
        return URI.create("http://127.0.0.1:" + port);
    }

    static final class Builder {
        private final SyntheticSpec spec;
        private final List<String> started = new ArrayList<>();
        private final Map<String, URI> external = new LinkedHashMap<>();
        private final Map<String, String> tokens = new LinkedHashMap<>();
        private int replicationFactor = 1;
        private String extraToml = "";
        private String clusterToml = "";
        private String queryToml = "";

        private Builder(SyntheticSpec spec) {
            this.spec = requireNonNull(spec, "spec is null");
        }

        /** Nodes to start. */
        Builder nodes(String... ids) {
            started.addAll(List.of(ids));
            return this;
        }

        /** A node listed in every configuration but not started here (a fake peer). */
        Builder externalNode(String id, URI url) {
            external.put(id, url);
            return this;
        }

        Builder replicationFactor(int factor) {
            this.replicationFactor = factor;
            return this;
        }

        /** The cluster token node {@code id} gets through {@code ENGRAM_CLUSTER_TOKEN}. */
        Builder token(String id, String token) {
            tokens.put(id, token);
            return this;
        }

        /** TOML appended to every configuration, e.g. {@code [[cluster.spaces]]} tables. */
        /** Lines of the {@code [cluster]} table instead of the default that stops probing. */
        Builder clusterToml(String toml) {
            this.clusterToml = requireNonNull(toml, "toml is null");
            return this;
        }

        Builder extraToml(String toml) {
            this.extraToml = toml;
            return this;
        }

        /** Keys of the {@code [query]} section. */
        Builder queryToml(String toml) {
            this.queryToml = toml;
            return this;
        }

        LoopbackCluster start() {
            try {
                return startOnFreePorts();
            } catch (IllegalStateException e) {
                if (!causedByBind(e)) {
                    throw e;
                }
                return startOnFreePorts(); // a port was taken between picking and binding: once more
            }
        }

        private LoopbackCluster startOnFreePorts() {
            Map<String, Integer> ports = new LinkedHashMap<>();
            for (String id : started) {
                ports.put(id, freePort());
            }
            Map<String, EngramNode> nodes = new LinkedHashMap<>();
            LoopbackCluster cluster = new LoopbackCluster(nodes);
            try {
                for (String id : started) {
                    nodes.put(id, EngramNode.start(config(id, ports)));
                }
            } catch (RuntimeException e) {
                try {
                    cluster.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            return cluster;
        }

        NodeConfig config(String id, Map<String, Integer> ports) {
            StringBuilder toml = new StringBuilder();
            toml.append("[node]\nid = \"").append(id).append("\"\n");
            toml.append("listen = \"127.0.0.1:").append(ports.get(id)).append("\"\n\n");
            toml.append("[cluster]\nreplication_factor = ")
                    .append(replicationFactor)
                    .append('\n');
            // By default long enough that no probe runs during a test: each test controls what the detector learns.
            toml.append(clusterToml.isEmpty() ? "probe_interval_ms = 600000\n" : clusterToml)
                    .append("\n\n");
            ports.forEach((node, port) -> appendNode(toml, node, url(port)));
            external.forEach((node, url) -> appendNode(toml, node, url));
            toml.append(NodeConfig.engineToml(spec));
            toml.append("[http]\nstop_timeout_ms = ").append(STOP_TIMEOUT_MS).append("\n\n");
            toml.append("[query]\ncompute_threads = 1\n").append(queryToml).append("\n\n");
            toml.append(extraToml).append('\n');
            Map<String, String> environment =
                    tokens.containsKey(id) ? Map.of(NodeConfig.TOKEN_VARIABLE, tokens.get(id)) : Map.of();
            return NodeConfig.fromToml(toml.toString(), Path.of("."), environment);
        }

        private static void appendNode(StringBuilder toml, String id, URI url) {
            toml.append("[[cluster.nodes]]\nid = \"")
                    .append(id)
                    .append("\"\nurl = \"")
                    .append(url)
                    .append("\"\n\n");
        }

        private static boolean causedByBind(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BindException) {
                    return true;
                }
            }
            return false;
        }
    }
}
