package io.engram.query.transport.http.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.engram.query.api.NodeId;
import io.engram.query.planner.embedded.ObservedPartitionDetector;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The prober against a real peer on loopback: it learns that the peer went away and that it came back, and once
 * closed it leaves none of its threads behind.
 */
class PeerProberTest {
    private static final NodeId SELF = NodeId.of("n1");
    private static final NodeId PEER = NodeId.of("n2");

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private HttpServer peer;

    @AfterEach
    void stop() {
        if (peer != null) {
            peer.stop(0);
        }
        scheduler.shutdownNow();
    }

    @Test
    void learnsThatAPeerWentAwayAndCameBackAndLeavesNoThreadWhenClosed() throws Exception {
        int port = LoopbackCluster.freePort();
        peer = healthyPeer(port);
        NodeConfig config = NodeConfig.fromToml(
                "[node]\nid = \"n1\"\nlisten = \"127.0.0.1:" + LoopbackCluster.freePort() + "\"\n\n"
                        + "[[cluster.nodes]]\nid = \"n1\"\nurl = \"http://127.0.0.1:1\"\n\n"
                        + "[[cluster.nodes]]\nid = \"n2\"\nurl = \"http://127.0.0.1:" + port + "\"\n\n"
                        + "[cluster]\nprobe_interval_ms = 50\n\n"
                        + "[engine]\ndimensions = 4\n[engine.synthetic]\nspaces = 1\nmemories_per_space = 1\n",
                Path.of("."),
                Map.of());
        ObservedPartitionDetector detector = new ObservedPartitionDetector(List.of(SELF, PEER), SELF);
        PeerProber prober = new PeerProber(config, detector, scheduler);
        try {
            prober.start();
            assertThat(probeThreads()).isPositive();

            peer.stop(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> !detector.isReachable(PEER));

            peer = healthyPeer(port);
            await().atMost(Duration.ofSeconds(10)).until(() -> detector.isReachable(PEER));
        } finally {
            prober.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> probeThreads() == 0);
    }

    @Test
    void aNodeWithoutPeersStartsNoThread() {
        NodeConfig config = NodeConfig.fromToml(
                "[node]\nid = \"n1\"\nlisten = \"127.0.0.1:" + LoopbackCluster.freePort() + "\"\n\n"
                        + "[engine]\ndimensions = 4\n[engine.synthetic]\nspaces = 1\nmemories_per_space = 1\n",
                Path.of("."),
                Map.of());
        try (PeerProber prober =
                new PeerProber(config, new ObservedPartitionDetector(List.of(SELF), SELF), scheduler)) {
            prober.start();
            assertThat(probeThreads()).isZero();
        }
    }

    private static HttpServer healthyPeer(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/cluster/health", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static long probeThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(PeerProber.THREAD_NAME))
                .count();
    }
}
