package io.engram.query.transport.http.node;

import io.engram.query.executor.engine.SyntheticSpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.function.IntUnaryOperator;

/** The TOML of nodes {@code n1..nN} on loopback ports, serving synthetic data: the clusters of the node tests. */
final class LoopbackClusterToml {
    private LoopbackClusterToml() {}

    /**
     * Node {@code self} (0-based) of {@code ports.length} nodes; space {@code s} of {@code spec} has its primary on
     * node {@code placement(s)} (0-based).
     */
    static String toml(int self, int[] ports, SyntheticSpec spec, IntUnaryOperator placement) {
        StringBuilder toml = new StringBuilder();
        toml.append("[node]\nid = \"n")
                .append(self + 1)
                .append("\"\nlisten = \"127.0.0.1:")
                .append(ports[self])
                .append("\"\n\n");
        for (int i = 0; i < ports.length; i++) {
            toml.append("[[cluster.nodes]]\nid = \"n")
                    .append(i + 1)
                    .append("\"\nurl = \"http://127.0.0.1:")
                    .append(ports[i])
                    .append("\"\n\n");
        }
        for (int space = 1; space <= spec.spaces(); space++) {
            toml.append("[[cluster.spaces]]\nid = \"s")
                    .append(space)
                    .append("\"\nprimary = \"n")
                    .append(placement.applyAsInt(space) + 1)
                    .append("\"\n\n");
        }
        toml.append(NodeConfig.engineToml(spec));
        return toml.toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
