package io.engram.query.benchmarks.scatter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.query.api.Cue;
import io.engram.query.api.Embedding;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.Query;
import io.engram.query.api.QueryResult;
import io.engram.query.api.QueryService;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.SpreadQuery;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.transport.http.node.EngramNode;
import io.engram.query.transport.http.node.NodeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Real {@link EngramNode}s in this JVM, started from TOML like {@code serve --config} would: either one node holding
 * the data set's four spaces ({@link #local}), or four data nodes holding one space each and a coordinator holding none
 * on loopback ({@link #distributed}), calling each other over {@code transport.type} ({@code tcp} or {@code http}).
 * Queries enter through the first node's {@link QueryService}, an in-process call, as a client's request would after
 * the HTTP front door.
 */
final class Deployment implements AutoCloseable {
    static final String COORDINATOR = "coordinator";
    /** Seeds per space of {@link #wideSpread()}. */
    static final int WIDE_SEEDS_PER_SPACE = 50;
    /** The node-to-node transports a deployment can use ({@code transport.type}). */
    static final List<String> TRANSPORTS = List.of("tcp", "http");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<EngramNode> nodes;
    private final QueryService entry;
    private final RecallQuery recall;
    private final SpreadQuery spread;
    private final SpreadQuery wideSpread;

    private final String transport;

    private Deployment(List<EngramNode> nodes, Dataset dataset, String transport, Optional<Integer> entryPort) {
        this.nodes = List.copyOf(nodes);
        this.transport = transport;
        this.entry = nodes.get(0).queryService();
        List<MemorySpaceId> spaces = new SyntheticDataGenerator(dataset.spec()).spaces();
        this.recall = RecallQuery.of(spaces, Cue.of(cueFrom(dataset)), 10);
        List<MemoryId> seeds = new ArrayList<>();
        for (MemorySpaceId space : spaces) {
            seeds.add(SyntheticDataGenerator.memoryId(space, 0));
        }
        this.spread = SpreadQuery.of(seeds, spaces, 100);
        List<MemoryId> wideSeeds = new ArrayList<>();
        int stride = dataset.memoriesPerSpace() / WIDE_SEEDS_PER_SPACE;
        for (MemorySpaceId space : spaces) {
            for (int i = 0; i < WIDE_SEEDS_PER_SPACE; i++) {
                wideSeeds.add(SyntheticDataGenerator.memoryId(space, i * stride));
            }
        }
        this.wideSpread = SpreadQuery.of(wideSeeds, spaces, 100);
        entryPort.ifPresent(port -> awaitPeersOver(transport, port));
        awaitFullCoverage();
    }

    /**
     * Waits (at most 60 s) until the entry node's {@code /cluster/health} shows every peer called over
     * {@code transport}: until a node has read a peer's tcp address from that peer's health it calls it over HTTP, and
     * those first queries would be measured as tcp ones.
     */
    private static void awaitPeersOver(String transport, int port) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/cluster/health"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "no answer";
        while (true) {
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                last = response.body();
                if (response.statusCode() == 200 && allPeersOver(transport, JSON.readTree(last))) {
                    return;
                }
            } catch (IOException notYet) {
                last = notYet.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the peers' transport", e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the coordinator did not call every peer over " + transport + " within 60 s; health: " + last);
            }
            sleep(100);
        }
    }

    static boolean allPeersOver(String transport, JsonNode health) {
        JsonNode peers = health.path("peers");
        if (!peers.isArray() || peers.isEmpty()) {
            return false;
        }
        for (JsonNode peer : peers) {
            if (!transport.equals(peer.path("transport").asText())) {
                return false;
            }
        }
        return true;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the deployment", e);
        }
    }

    /**
     * Waits (at most 60 s) until a recall answers from every space. Nodes start one after another and heavy data
     * takes seconds to generate, so the coordinator's probes may still count a late node as down for a moment.
     */
    private void awaitFullCoverage() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!entry.execute(recall).join().coverage().isComplete()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the deployment did not answer from every space within 60 s");
            }
            sleep(100);
        }
    }

    /** One node holding every space (it calls no peer, so the transport does not matter). */
    static Deployment local(Dataset dataset) {
        int port = freePort();
        String toml = nodeToml("n1", port, List.of(new NodeAddress("n1", port)), List.of(), dataset, "http", Map.of());
        List<EngramNode> started = new ArrayList<>();
        started.add(EngramNode.start(NodeConfig.fromToml(toml, Path.of("."), Map.of())));
        return new Deployment(started, dataset, "none", Optional.empty());
    }

    /**
     * A coordinator holding nothing, and data nodes {@code n1..n4} holding {@code s1..s4}, one each, calling each
     * other over {@code transport} ({@code tcp} or {@code http}).
     */
    static Deployment distributed(Dataset dataset, String transport) {
        return distributed(dataset, transport, Map.of(), 0);
    }

    /**
     * As {@link #distributed(Dataset, String)}, with {@code http} the settings of {@code [transport.http]} (TOML
     * values) and {@code query.compute_threads} of every node set to {@code computeThreads} (0: one per core, the
     * default).
     */
    static Deployment distributed(Dataset dataset, String transport, Map<String, String> http, int computeThreads) {
        if (!TRANSPORTS.contains(transport)) {
            throw new IllegalArgumentException("transport must be one of " + TRANSPORTS + ", got '" + transport + "'");
        }
        List<NodeAddress> addresses = new ArrayList<>();
        addresses.add(new NodeAddress(COORDINATOR, freePort()));
        for (int i = 1; i <= Dataset.SPACES; i++) {
            addresses.add(new NodeAddress("n" + i, freePort()));
        }
        List<String> spaces = new ArrayList<>();
        for (int i = 1; i <= Dataset.SPACES; i++) {
            spaces.add(String.format("[[cluster.spaces]]%nid = \"s%d\"%nprimary = \"n%d\"%n", i, i));
        }
        List<EngramNode> started = new ArrayList<>();
        try {
            for (NodeAddress address : addresses) {
                String toml = nodeToml(address.id, address.port, addresses, spaces, dataset, transport, http)
                        + "\n[query]\ncompute_threads = " + computeThreads + "\n";
                started.add(EngramNode.start(NodeConfig.fromToml(toml, Path.of("."), Map.of())));
            }
        } catch (RuntimeException e) {
            started.forEach(EngramNode::close);
            throw e;
        }
        return new Deployment(started, dataset, transport, Optional.of(addresses.get(0).port));
    }

    private static String nodeToml(
            String id,
            int port,
            List<NodeAddress> cluster,
            List<String> spaces,
            Dataset dataset,
            String transport,
            Map<String, String> http) {
        StringBuilder toml = new StringBuilder();
        toml.append("[node]\nid = \"")
                .append(id)
                .append("\"\nlisten = \"127.0.0.1:")
                .append(port)
                .append("\"\n\n");
        for (NodeAddress node : cluster) {
            toml.append("[[cluster.nodes]]\nid = \"")
                    .append(node.id)
                    .append("\"\nurl = \"http://127.0.0.1:")
                    .append(node.port)
                    .append("\"\n");
        }
        spaces.forEach(toml::append);
        toml.append('\n').append(dataset.engineToml()).append('\n');
        toml.append("[transport]\ntype = \"").append(transport).append("\"\n");
        if (!http.isEmpty()) {
            toml.append("[transport.http]\n");
            http.forEach(
                    (key, value) -> toml.append(key).append(" = ").append(value).append('\n'));
        }
        return toml.toString();
    }

    /** The embedding of memory 7 of space s1. */
    private static Embedding cueFrom(Dataset dataset) {
        SyntheticDataGenerator generator = new SyntheticDataGenerator(dataset.spec());
        return generator.memories(SyntheticDataGenerator.spaceName(1)).get(7).embedding();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** {@code tcp} or {@code http}; {@code none} for {@link #local}. */
    String transport() {
        return transport;
    }

    QueryService entry() {
        return entry;
    }

    /** Runs {@code query} and waits; a partial answer would make any comparison meaningless, so it fails loudly. */
    QueryResult answerInFull(Query query) {
        QueryResult result = entry.execute(query).join();
        if (!result.coverage().isComplete()) {
            throw new IllegalStateException("partial answer: " + result.coverage());
        }
        return result;
    }

    RecallQuery recall() {
        return recall;
    }

    /** A spread of 3 hops from memory 0 of every space, the top 100. */
    SpreadQuery spread() {
        return spread;
    }

    /** A spread of 3 hops from {@value #WIDE_SEEDS_PER_SPACE} memories of every space, spread evenly, the top 100. */
    SpreadQuery wideSpread() {
        return wideSpread;
    }

    @Override
    public void close() {
        nodes.forEach(EngramNode::close);
    }

    private record NodeAddress(String id, int port) {}
}
