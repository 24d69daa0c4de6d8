package io.engram.query.transport.http.node;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.engram.query.api.Confidence;
import io.engram.query.api.Cue;
import io.engram.query.api.Embedding;
import io.engram.query.api.ImagineQuery;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.MissingPartition;
import io.engram.query.api.MissingReason;
import io.engram.query.api.NodeId;
import io.engram.query.api.QueryOptions;
import io.engram.query.api.QueryResult;
import io.engram.query.api.RecallQuery;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.transport.http.metrics.PrometheusTools;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real nodes on loopback: a cluster answers as one node holding every space would, loses a dead node's spaces with
 * lowered confidence, fails over to replicas, does not wait on a hung peer past the deadline, guards the internal
 * endpoint with the cluster token, survives a peer answering garbage, and exposes metrics and health.
 */
class EngramNodeTest {
    private static final SyntheticSpec SPEC = new SyntheticSpec(6, 300, 32, 8, 2, 7L);
    private static final SyntheticDataGenerator DATA = new SyntheticDataGenerator(SPEC);
    private static final List<MemorySpaceId> ALL = DATA.spaces();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        resources.add(resource);
        return resource;
    }

    private LoopbackCluster start(LoopbackCluster.Builder builder) {
        return closeLater(builder.start());
    }

    @Test
    void threeNodesAnswerExactlyAsOneNodeHoldingEverySpace() throws Exception {
        LoopbackCluster single = start(LoopbackCluster.builder(SPEC).nodes("solo"));
        LoopbackCluster three = start(LoopbackCluster.builder(SPEC).nodes("n1", "n2", "n3"));
        assertThat(single.node("solo").heldSpaces()).containsExactlyElementsOf(ALL);
        Set<MemorySpaceId> union = new TreeSet<>();
        for (String id : List.of("n1", "n2", "n3")) {
            assertThat(three.node(id).heldSpaces()).as("spaces of %s", id).isNotEmpty();
            union.addAll(three.node(id).heldSpaces());
        }
        assertThat(union).containsExactlyElementsOf(ALL);

        for (Embedding cue : List.of(cue("s2", 5), cue("s5", 123))) {
            RecallQuery query = recall(ALL, cue, Duration.ofSeconds(5));
            QueryResult expected = execute(single.node("solo"), query);
            List<Hit> expectedHits = hits(expected);
            assertThat(expectedHits).hasSize(20);
            assertThat(expected.coverage().isComplete()).isTrue();
            assertThat(hits(post(single.node("solo"), query))).isEqualTo(expectedHits);

            for (String coordinator : List.of("n1", "n2", "n3")) {
                QueryResult direct = execute(three.node(coordinator), query);
                assertThat(hits(direct)).as("via %s", coordinator).isEqualTo(expectedHits);
                assertThat(direct.coverage().expectedPartitions()).isEqualTo(6);
                assertThat(direct.coverage().missing()).isEmpty();
                assertThat(direct.confidence()).isEqualTo(expected.confidence());
                assertThat(direct.strategy()).isEqualTo(expected.strategy());

                JsonNode overHttp = post(three.node(coordinator), query);
                assertThat(hits(overHttp)).as("via %s over HTTP", coordinator).isEqualTo(expectedHits);
                assertThat(overHttp.path("coverage").path("missing_partitions")).isEmpty();
                assertThat(overHttp.path("confidence").doubleValue())
                        .isEqualTo(expected.confidence().value());
                assertThat(overHttp.path("strategy").asText()).isEqualTo("multi_partition");
            }
        }
    }

    @Test
    void aStoppedNodesSpacesGoMissingAndLowerConfidenceByCoverage() throws Exception {
        LoopbackCluster cluster = start(LoopbackCluster.builder(SPEC).nodes("n1", "n2", "n3"));
        Set<MemorySpaceId> lost = cluster.node("n2").heldSpaces();
        List<MemorySpaceId> remaining =
                ALL.stream().filter(s -> !lost.contains(s)).toList();
        Embedding cue = cue("s3", 42);
        List<Hit> fromRemaining = hits(execute(cluster.node("n1"), recall(remaining, cue, Duration.ofSeconds(5))));

        cluster.stop("n2");

        RecallQuery query = recall(ALL, cue, Duration.ofSeconds(5));
        QueryResult result = execute(cluster.node("n1"), query);
        int responding = ALL.size() - lost.size();
        assertThat(result.coverage().expectedPartitions()).isEqualTo(6);
        assertThat(result.coverage().respondingPartitions()).isEqualTo(responding);
        assertThat(result.coverage().missing())
                .extracting(MissingPartition::space)
                .containsExactlyInAnyOrderElementsOf(lost);
        // Connection refused, after the retries: the executor says unreachable.
        assertThat(result.coverage().missing()).allSatisfy(m -> {
            assertThat(m.reason()).isIn(MissingReason.UNREACHABLE, MissingReason.FAILED);
            assertThat(m.reason()).isEqualTo(MissingReason.UNREACHABLE);
            assertThat(m.node()).hasValue(NodeId.of("n2"));
        });
        assertThat(result.coverage().ratio()).isEqualTo((double) responding / ALL.size());
        // λ = 1: base × responding / expected (computed as base × (1 − (1 − ratio)), so equal up to rounding)
        assertThat(result.confidence().value())
                .isCloseTo(result.baseConfidence().value() * responding / ALL.size(), within(1e-12));
        assertThat(result.confidence().value())
                .isLessThan(result.baseConfidence().value());
        assertThat(hits(result)).isEqualTo(fromRemaining);

        JsonNode overHttp = post(cluster.node("n1"), query);
        assertThat(hits(overHttp)).isEqualTo(fromRemaining);
        JsonNode coverage = overHttp.path("coverage");
        assertThat(coverage.path("responding_partitions").asInt()).isEqualTo(responding);
        assertThat(missingOf(overHttp))
                .containsExactlyInAnyOrderElementsOf(
                        lost.stream().map(s -> s.value() + "@n2 unreachable").toList());
        assertThat(overHttp.path("confidence").doubleValue())
                .isCloseTo(overHttp.path("base_confidence").doubleValue() * responding / ALL.size(), within(1e-12));
    }

    @Test
    void withTwoCopiesAStoppedNodeCostsNoCoverage() throws Exception {
        LoopbackCluster cluster =
                start(LoopbackCluster.builder(SPEC).nodes("n1", "n2", "n3").replicationFactor(2));
        Set<MemorySpaceId> n1 = cluster.node("n1").heldSpaces();
        // Stop a node that holds a space n1 does not, so that some partition must fail over.
        String victim = cluster.node("n2").heldSpaces().stream().anyMatch(s -> !n1.contains(s)) ? "n2" : "n3";
        assertThat(cluster.node(victim).heldSpaces()).anyMatch(s -> !n1.contains(s));
        Embedding cue = cue("s4", 7);
        RecallQuery query = recall(ALL, cue, Duration.ofSeconds(5));
        List<Hit> before = hits(execute(cluster.node("n1"), query));

        cluster.stop(victim);

        QueryResult result = execute(cluster.node("n1"), query);
        assertThat(result.coverage().missing()).isEmpty();
        assertThat(result.coverage().respondingPartitions()).isEqualTo(6);
        assertThat(result.confidence()).isEqualTo(result.baseConfidence());
        assertThat(hits(result)).isEqualTo(before);
        JsonNode overHttp = post(cluster.node("n1"), query);
        assertThat(overHttp.path("coverage").path("missing_partitions")).isEmpty();
        assertThat(hits(overHttp)).isEqualTo(before);
    }

    @Test
    void aHungPeerDoesNotDelayTheAnswerPastItsDeadline() throws Exception {
        SilentPeer hung = closeLater(new SilentPeer());
        LoopbackCluster cluster = start(LoopbackCluster.builder(SPEC)
                .nodes("n1")
                .externalNode("hung", LoopbackCluster.url(hung.port()))
                .extraToml(spaces("n1", "s1", "s2", "s3", "s4", "s5") + spaces("hung", "s6")));
        EngramNode n1 = cluster.node("n1");
        assertThat(n1.heldSpaces()).extracting(MemorySpaceId::value).containsExactly("s1", "s2", "s3", "s4", "s5");
        RecallQuery query = recall(ALL, cue("s1", 3), Duration.ofMillis(300));
        execute(n1, recall(List.of(MemorySpaceId.of("s1")), cue("s1", 3), Duration.ofSeconds(5))); // warm up

        // The silent peer never answers, so an answer at all (within WAIT) means the 300 ms deadline ended the wait;
        // how late past it the answer comes is measured by the benchmarks, not asserted here.
        QueryResult result = execute(n1, query);
        assertThat(result.coverage().missing()).singleElement().satisfies(m -> {
            assertThat(m.space()).isEqualTo(MemorySpaceId.of("s6"));
            assertThat(m.node()).hasValue(NodeId.of("hung"));
            assertThat(m.reason()).isEqualTo(MissingReason.TIMEOUT);
        });
        assertThat(result.coverage().timedOut()).isEqualTo(1);
        assertThat(hung.accepted()).isPositive();

        JsonNode overHttp = post(n1, query);
        assertThat(missingOf(overHttp)).containsExactly("s6@hung timeout");
        assertThat(overHttp.path("coverage").path("timed_out").asInt()).isEqualTo(1);
    }

    @Test
    void theClusterTokenGuardsTheInternalEndpoint() throws Exception {
        LoopbackCluster cluster = start(LoopbackCluster.builder(SPEC)
                .nodes("n1", "n2", "n3")
                .token("n1", "secret")
                .token("n2", "secret")
                .token("n3", "other"));
        EngramNode n1 = cluster.node("n1");
        MemorySpaceId held = n1.heldSpaces().iterator().next();
        String partitionRequest = "{\"query_id\":\"q-1\",\"space\":\"" + held.value() + "\",\"query\":"
                + recallJson(List.of(held), cue("s1", 1), Duration.ofSeconds(1)) + "}";

        HttpResponse<String> missing = postPartition(n1, partitionRequest, null);
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(missing.headers().firstValue("WWW-Authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(JSON.readTree(missing.body()).path("detail").asText())
                .isEqualTo("missing bearer token; send the header 'Authorization: Bearer <cluster token>'");
        HttpResponse<String> wrong = postPartition(n1, partitionRequest, "Bearer other");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrong.body()).path("detail").asText()).isEqualTo("invalid cluster token");
        HttpResponse<String> right = postPartition(n1, partitionRequest, "Bearer secret");
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(right.body()).path("space").asText()).isEqualTo(held.value());

        RecallQuery query = recall(ALL, cue("s2", 9), Duration.ofSeconds(5));
        Set<MemorySpaceId> ofN3 = cluster.node("n3").heldSpaces();
        QueryResult fromN1 = execute(n1, query);
        assertThat(fromN1.coverage().missing())
                .allSatisfy(m -> {
                    assertThat(m.reason()).isEqualTo(MissingReason.FAILED);
                    assertThat(m.node()).hasValue(NodeId.of("n3"));
                })
                .extracting(MissingPartition::space)
                .containsExactlyInAnyOrderElementsOf(ofN3);

        Set<MemorySpaceId> notOfN3 = new LinkedHashSet<>(ALL);
        notOfN3.removeAll(ofN3);
        QueryResult fromN3 = execute(cluster.node("n3"), query);
        assertThat(fromN3.coverage().missing())
                .allSatisfy(m -> assertThat(m.reason()).isEqualTo(MissingReason.FAILED))
                .extracting(MissingPartition::space)
                .containsExactlyInAnyOrderElementsOf(notOfN3);
        assertThat(fromN3.coverage().missing())
                .extracting(MissingPartition::detail)
                .allSatisfy(d -> assertThat(d).contains("cluster token rejected by"));
        JsonNode overHttp = post(cluster.node("n3"), query);
        assertThat(overHttp.path("coverage").path("failed").asInt()).isEqualTo(notOfN3.size());
    }

    @Test
    void aPeerAnsweringGarbageCountsAsFailedAndTheCoordinatorStaysHealthy() throws Exception {
        HttpServer junk = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        junk.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            byte[] body = "not json".getBytes(UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        junk.start();
        closeLater(() -> junk.stop(0));
        LoopbackCluster cluster = start(LoopbackCluster.builder(SPEC)
                .nodes("n1")
                .externalNode("junk", LoopbackCluster.url(junk.getAddress().getPort()))
                .extraToml(spaces("n1", "s1", "s2", "s3", "s4", "s5") + spaces("junk", "s6")));
        EngramNode n1 = cluster.node("n1");
        RecallQuery query = recall(ALL, cue("s5", 17), Duration.ofSeconds(5));

        QueryResult result = execute(n1, query);
        assertThat(result.coverage().missing()).singleElement().satisfies(m -> {
            assertThat(m.space()).isEqualTo(MemorySpaceId.of("s6"));
            assertThat(m.reason()).isEqualTo(MissingReason.FAILED);
            assertThat(m.detail()).startsWith("malformed answer from junk");
        });
        assertThat(result.coverage().failed()).isEqualTo(1);
        assertThat(result.confidence().value())
                .isCloseTo(result.baseConfidence().value() * 5 / 6, within(1e-12));

        JsonNode again = post(n1, query);
        assertThat(missingOf(again)).containsExactly("s6@junk failed");
        List<MemorySpaceId> healthy = ALL.subList(0, 5);
        QueryResult next = execute(n1, recall(healthy, cue("s5", 17), Duration.ofSeconds(5)));
        assertThat(next.coverage().isComplete()).isTrue();
        assertThat(hits(next)).isEqualTo(hits(result));
        assertThat(get(n1, "/cluster/health").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsPassPromtoolAndNameTheRequiredSeries() throws Exception {
        LoopbackCluster cluster = start(LoopbackCluster.builder(SPEC).nodes("n1", "n2", "n3"));
        EngramNode n1 = cluster.node("n1");
        execute(n1, recall(ALL, cue("s1", 1), Duration.ofSeconds(5)));
        post(n1, recall(ALL, cue("s6", 2), Duration.ofSeconds(5)));
        // one client query in two executions: counted once, its phases apart
        n1.queryService()
                .execute(new ImagineQuery(
                        List.of(SyntheticDataGenerator.memoryId(MemorySpaceId.of("s1"), 5)),
                        ALL,
                        0.3,
                        QueryOptions.limit(5).withTimeout(Duration.ofSeconds(5))))
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        cluster.stop("n3");
        execute(n1, recall(ALL, cue("s2", 3), Duration.ofSeconds(5)));

        HttpResponse<String> response = get(n1, "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        String text = response.body();
        assertThat(text.lines())
                .anyMatch(l -> l.startsWith("engram_query_scatter_count{strategy=\"multi_partition\",} 4.0"))
                .contains("# TYPE engram_query_latency_seconds histogram")
                .anyMatch(l -> l.startsWith(
                        "engram_query_latency_seconds_bucket{strategy=\"multi_partition\",le=\"+Inf\",} 4.0"))
                .anyMatch(l -> l.startsWith("engram_query_latency_seconds_count{strategy=\"multi_partition\",} 4.0"))
                .anyMatch(l -> l.startsWith("engram_query_latency_seconds_sum{strategy=\"multi_partition\",} "))
                .contains("engram_query_scatters_total{phase=\"query\",} 3.0")
                .contains("engram_query_scatters_total{phase=\"imagine_seeds\",} 1.0")
                .contains("engram_query_scatters_total{phase=\"imagine_recall\",} 1.0")
                .contains("engram_query_scatters_total{phase=\"spread_round\",} 0.0")
                .anyMatch(l -> l.startsWith("engram_query_partition_latency_seconds_bucket{peer=\"n2\","))
                .anyMatch(l -> l.startsWith("engram_query_circuit_breaker_state{peer=\"n3\",} "))
                .anyMatch(l -> l.startsWith("engram_query_build_info{version=\""))
                .anyMatch(l -> l.startsWith("engram_query_partial_timeouts_total "))
                .anyMatch(l -> l.startsWith("engram_query_missing_partitions_total "))
                .anyMatch(l -> l.startsWith("jvm_memory_bytes_used{area=\"heap\",} "))
                .anyMatch(l -> l.startsWith("process_cpu_seconds_total "))
                .noneMatch(l -> l.contains("Generated from Dropwizard"))
                .noneMatch(l -> l.startsWith("engram_") && l.contains("node=\""));
        assertThat(text.lines().filter(l -> l.startsWith("# HELP engram_")))
                .isNotEmpty()
                .allSatisfy(l -> assertThat(QueryMetrics.help()).containsKey(l.split(" ")[2]));
        int lostSpaces = cluster.node("n3").heldSpaces().size();
        assertThat(text.lines()).contains("engram_query_missing_partitions_total " + (double) lostSpaces);

        PrometheusTools.assertPromtoolAccepts(text);
    }

    @Test
    void clusterHealthShowsPartitionPeersAndQueryStatistics() throws Exception {
        LoopbackCluster cluster = start(LoopbackCluster.builder(SPEC).nodes("n1", "n2", "n3"));
        EngramNode n1 = cluster.node("n1");
        execute(n1, recall(ALL, cue("s1", 1), Duration.ofSeconds(5)));

        HttpResponse<String> response = get(n1, "/cluster/health");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode health = JSON.readTree(response.body());
        assertThat(health.path("node_id").asText()).isEqualTo("n1");
        assertThat(health.path("status").asText()).isEqualTo("ok");
        JsonNode partition = health.path("partition");
        assertThat(partition.path("state").asText()).isEqualTo("connected");
        assertThat(partition.path("reachable_nodes").asInt()).isEqualTo(3);
        assertThat(partition.path("total_nodes").asInt()).isEqualTo(3);
        assertThat(health.path("spaces"))
                .extracting(JsonNode::asText)
                .containsExactlyElementsOf(
                        n1.heldSpaces().stream().map(MemorySpaceId::value).toList());
        ArrayNode peers = (ArrayNode) health.path("peers");
        assertThat(peers).extracting(p -> p.path("node").asText()).containsExactly("n2", "n3");
        for (JsonNode peer : peers) {
            String id = peer.path("node").asText();
            assertThat(peer.path("url").asText())
                    .isEqualTo(cluster.node(id).url().toString());
            assertThat(peer.path("reachable").asBoolean()).isTrue();
            assertThat(peer.path("breaker").asText()).isEqualTo("closed");
            assertThat(peer.path("latency_score_ms").isNumber()).isTrue();
        }
        ArrayNode plugins = (ArrayNode) health.path("plugins");
        assertThat(plugins)
                .extracting(p -> p.path("plugin").asText())
                .contains(
                        "io.engram.query.planner.PlannerPlugin",
                        "io.engram.query.aggregation.AggregationPlugin",
                        "io.engram.query.transport.http.client.HttpTransportPlugin");
        for (JsonNode plugin : plugins) {
            assertThat(plugin.path("source").asText()).isEqualTo("class path");
            assertThat(iterable(plugin.fieldNames()))
                    .containsExactly(
                            "plugin",
                            "source",
                            "merge_policies",
                            "consistency_policies",
                            "planning_strategies",
                            "transports");
        }
        assertThat(plugins)
                .filteredOn(p -> p.path("plugin").asText().endsWith(".HttpTransportPlugin"))
                .singleElement()
                .satisfies(p -> assertThat(p.path("transports"))
                        .extracting(JsonNode::asText)
                        .containsExactly("http"));
        JsonNode query = health.path("query");
        assertThat(query.path("scatter_count").path("multi_partition").asLong()).isEqualTo(1);
        assertThat(query.path("latency").path("multi_partition").path("count").asLong())
                .isEqualTo(1);
        assertThat(query.path("latency").path("multi_partition").path("p99_ms").isNumber())
                .isTrue();
        assertThat(query.path("partial_timeouts").asLong()).isZero();
        assertThat(query.path("missing_partitions").asLong()).isZero();
        assertThat(query.path("in_flight").asInt()).isZero();
        assertThat(iterable(query.fieldNames()))
                .contains(
                        "scatter_count",
                        "partial_timeouts",
                        "missing_partitions",
                        "latency",
                        "retries",
                        "hedges_sent",
                        "hedges_won",
                        "failovers",
                        "in_flight");
    }

    @Test
    void closeReleasesTheNodeEvenWithAClientConnectionOpenAndIsIdempotent() throws Exception {
        Set<Thread> before = engramThreads();
        LoopbackCluster cluster = start(LoopbackCluster.builder(SPEC).nodes("n1"));
        EngramNode n1 = cluster.node("n1");
        int port = n1.port();
        assertThat(get(n1, "/cluster/health").statusCode()).isEqualTo(200); // leaves a keep-alive connection open
        assertThat(engramThreads()).hasSizeGreaterThan(before.size());

        // A close that waited for the idle keep-alive connection to time out (Jetty's idle timeout is 30 s) fails
        // this bound; how close compares with stop_timeout_ms is not a unit test's business.
        assertTimeoutPreemptively(WAIT, () -> n1.close());
        n1.close();

        try (ServerSocket rebound = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(rebound.getLocalPort()).isEqualTo(port);
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(engramThreads()).isSubsetOf(before));
    }

    @Test
    void closingTheNodesOfAClusterStopsEveryThreadTheyStarted() throws Exception {
        Set<Thread> before = engramThreads();
        LoopbackCluster cluster =
                LoopbackCluster.builder(SPEC).nodes("n1", "n2").start();
        // a query across both nodes starts the node-to-node clients; the peers probe each other with SWIM
        QueryResult result = execute(cluster.node("n1"), recall(List.of(), cue("s1", 3), WAIT));
        assertThat(result.coverage().isComplete()).isTrue();
        assertThat(engramThreads()).hasSizeGreaterThan(before.size());

        cluster.close();

        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(engramThreads()).isSubsetOf(before));
    }

    @Test
    void startSearchesTheClassPathForPluginsOnce() {
        NodeConfig config = LoopbackCluster.builder(SPEC).config("n1", Map.of("n1", LoopbackCluster.freePort()));
        int before = CountingPlugin.instances();

        closeLater(EngramNode.start(config));

        // once for the transport factory, and the query module takes the same plugins instead of searching again
        assertThat(CountingPlugin.instances() - before).isEqualTo(1);
    }

    /** Live threads of the node's pools: Jetty's server and client, the query compute and timer threads. */
    private static Set<Thread> engramThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("engram-"))
                .collect(Collectors.toSet());
    }

    // --- helpers

    /** What the tests compare of a match: its id, space and confidence, exactly. */
    record Hit(String memoryId, String space, double confidence) {}

    private static List<Hit> hits(QueryResult result) {
        return result.matches().stream()
                .map(m -> new Hit(
                        m.memoryId().value(), m.space().value(), m.confidence().value()))
                .toList();
    }

    private static List<Hit> hits(JsonNode result) {
        List<Hit> out = new ArrayList<>();
        for (JsonNode m : result.path("matches")) {
            out.add(new Hit(
                    m.path("memory_id").asText(),
                    m.path("space").asText(),
                    m.path("confidence").doubleValue()));
        }
        return out;
    }

    private static List<String> missingOf(JsonNode result) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : result.path("coverage").path("missing_partitions")) {
            out.add(m.path("space").asText() + "@" + m.path("node").asText() + " "
                    + m.path("reason").asText());
        }
        return out;
    }

    private static Embedding cue(String space, int index) {
        return DATA.memories(MemorySpaceId.of(space)).get(index).embedding();
    }

    private static RecallQuery recall(List<MemorySpaceId> spaces, Embedding cue, Duration timeout) {
        return new RecallQuery(
                spaces, Cue.of(cue), Confidence.NONE, QueryOptions.limit(20).withTimeout(timeout));
    }

    private static String recallJson(List<MemorySpaceId> spaces, Embedding cue, Duration timeout) {
        ObjectNode body = JSON.createObjectNode();
        body.put("type", "recall");
        ArrayNode names = body.putArray("spaces");
        spaces.forEach(s -> names.add(s.value()));
        ArrayNode values = body.putObject("cue").putArray("embedding");
        for (float v : cue.toArray()) {
            values.add(v);
        }
        body.put("limit", 20);
        body.put("timeout_ms", timeout.toMillis());
        return body.toString();
    }

    private static String spaces(String node, String... spaces) {
        StringBuilder toml = new StringBuilder();
        for (String space : spaces) {
            toml.append("[[cluster.spaces]]\nid = \"")
                    .append(space)
                    .append("\"\nprimary = \"")
                    .append(node)
                    .append("\"\n\n");
        }
        return toml.toString();
    }

    private static QueryResult execute(EngramNode node, RecallQuery query) throws Exception {
        return node.queryService().execute(query).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private JsonNode post(EngramNode node, RecallQuery query) throws Exception {
        String body = recallJson(
                query.spaces(),
                query.cue().embedding().orElseThrow(),
                query.options().timeout().orElseThrow());
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(node.url().resolve("/v1/query"))
                        .timeout(WAIT)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("POST /v1/query: %s", response.body())
                .isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> postPartition(EngramNode node, String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(node.url().resolve("/internal/v1/partition-query"))
                .timeout(WAIT)
                .header("Content-Type", "application/json")
                .header("Engram-Deadline-Ms", "1000")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(EngramNode node, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(node.url().resolve(path))
                        .timeout(WAIT)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> iterator) {
        List<T> out = new ArrayList<>();
        iterator.forEachRemaining(out::add);
        return out;
    }

    /** A peer that accepts connections and never answers. */
    static final class SilentPeer implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        SilentPeer() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(this::acceptForever, "silent-peer-" + server.getLocalPort());
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void acceptForever() {
            while (!server.isClosed()) {
                try {
                    sockets.add(server.accept());
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        int port() {
            return server.getLocalPort();
        }

        int accepted() {
            return sockets.size();
        }

        @Override
        public void close() throws Exception {
            server.close();
            for (Socket socket : sockets) {
                socket.close();
            }
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
        }
    }
}
