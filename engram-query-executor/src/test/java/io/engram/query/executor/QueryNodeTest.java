package io.engram.query.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import io.engram.query.aggregation.merge.MergePolicyRegistry;
import io.engram.query.api.Cue;
import io.engram.query.api.Embedding;
import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.QueryResult;
import io.engram.query.api.QueryService;
import io.engram.query.api.RecallQuery;
import io.engram.query.api.Ticker;
import io.engram.query.executor.config.QueryConfig;
import io.engram.query.executor.engine.EmbeddedQueryEngine;
import io.engram.query.executor.engine.SyntheticDataGenerator;
import io.engram.query.executor.engine.SyntheticSpec;
import io.engram.query.executor.metrics.QueryMetrics;
import io.engram.query.executor.plugin.PluginLoader;
import io.engram.query.executor.plugin.TestMergePlugin;
import io.engram.query.planner.replica.ReplicaSelector;
import io.engram.query.spi.LocalQueryEngine;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.QueryPlugin;
import io.engram.query.spi.Transport;
import io.engram.query.spi.TransportException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class QueryNodeTest {
    private static final NodeId HOST = NodeId.of("host-1");

    @Test
    void closingTwiceStopsTheThreadsOnceAndThrowsNothing() {
        Set<Thread> before = queryThreads();
        SyntheticDataGenerator data = new SyntheticDataGenerator(new SyntheticSpec(2, 100, 64, 8, 4, 42L));
        LocalQueryEngine engine = new EmbeddedQueryEngine(HOST, data.store(), Ticker.system());
        Injector injector = Guice.createInjector(
                new EngramQueryModule(QueryConfig.defaults(), HOST),
                binder -> EngramQueryModule.localQueryEngine(binder).toInstance(engine));
        QueryNode node = injector.getInstance(QueryNode.class);
        Embedding cue = data.memories(data.spaces().get(0)).get(0).embedding();
        node.queryService()
                .execute(RecallQuery.of(List.of(), Cue.of(cue), 10))
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
        assertThat(queryThreads()).hasSizeGreaterThan(before.size());

        node.close();
        node.close();

        assertThat(node.scheduler().isShutdown()).isTrue();
        awaitNoThreadsBut(before);
    }

    @Test
    void isTheOneOwnerTheInjectorHandsOutWithItsQueryService() {
        Injector injector = Guice.createInjector(new EngramQueryModule(QueryConfig.defaults(), HOST));
        try (QueryNode node = injector.getInstance(QueryNode.class)) {
            assertThat(injector.getInstance(QueryNode.class)).isSameAs(node);
            assertThat(node.queryService()).isSameAs(injector.getInstance(QueryService.class));
        }
    }

    @Test
    void reportsItsQueryMetricsAndWhatItsCallsToAPeerShowed() {
        SyntheticDataGenerator data = new SyntheticDataGenerator(new SyntheticSpec(2, 100, 64, 8, 4, 42L));
        LocalQueryEngine engine = new EmbeddedQueryEngine(HOST, data.store(), Ticker.system());
        Injector injector = Guice.createInjector(
                new EngramQueryModule(QueryConfig.defaults(), HOST),
                binder -> EngramQueryModule.localQueryEngine(binder).toInstance(engine));
        try (QueryNode node = injector.getInstance(QueryNode.class)) {
            Embedding cue = data.memories(data.spaces().get(0)).get(0).embedding();
            QueryResult result = node.queryService()
                    .execute(RecallQuery.of(List.of(), Cue.of(cue), 10))
                    .orTimeout(10, TimeUnit.SECONDS)
                    .join();

            assertThat(node.metrics()).isSameAs(injector.getInstance(QueryMetrics.class));
            assertThat(node.metrics().scatterCount(result.strategy())).isEqualTo(1);
            NodeId peer = NodeId.of("n2");
            assertThat(node.peerCalls(peer))
                    .isEqualTo(new QueryNode.PeerCalls(
                            "closed",
                            injector.getInstance(ReplicaSelector.class).score(peer)));
        }
    }

    @Test
    void leavesAHostBoundTransportOpenForTheHostToClose() {
        RecordingTransport transport = new RecordingTransport();
        Injector injector = Guice.createInjector(
                new EngramQueryModule(QueryConfig.defaults(), HOST),
                binder -> EngramQueryModule.transport(binder).toInstance(transport));

        injector.getInstance(QueryNode.class).close();

        assertThat(transport.closes).hasValue(0);
    }

    @Test
    void injectorCreationThatFailsLeavesNoThreadBehind() {
        Set<Thread> before = queryThreads();
        QueryConfig config = QueryConfig.fromToml("[query]\ndefault_merge_policy = \"highest\"\n");

        assertThatThrownBy(() -> Guice.createInjector(new EngramQueryModule(config, HOST)))
                .isInstanceOf(CreationException.class);

        // the pools start their threads on their first task, and nobody could close them: none may exist
        assertThat(queryThreads()).isSubsetOf(before);
    }

    @Test
    void searchesTheClassPathForPluginsOncePerInjector() {
        int before = TestMergePlugin.instances();

        Injector injector = Guice.createInjector(new EngramQueryModule(QueryConfig.defaults(), HOST));
        try (QueryNode node = injector.getInstance(QueryNode.class)) {
            assertThat(injector.getInstance(MergePolicyRegistry.class).names()).contains(TestMergePlugin.LOWEST);
        }

        assertThat(TestMergePlugin.instances() - before).isEqualTo(1);
    }

    @Test
    void takesThePluginsAHostFoundWithoutSearchingTheClassPathAgain() {
        List<QueryPlugin> found = PluginLoader.fromClassPath(QueryNodeTest.class.getClassLoader());
        int before = TestMergePlugin.instances();

        Injector injector = Guice.createInjector(new EngramQueryModule(QueryConfig.defaults(), HOST, found));
        try (QueryNode node = injector.getInstance(QueryNode.class)) {
            assertThat(injector.getInstance(MergePolicyRegistry.class).names())
                    .containsExactly("lowest", "max", "noisy-or");
        }

        assertThat(TestMergePlugin.instances()).isEqualTo(before);
    }

    /** Live threads the module's pools start ({@code engram-query-compute-n}, {@code engram-query-timer-n}). */
    static Set<Thread> queryThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("engram-query-"))
                .collect(Collectors.toSet());
    }

    /** Waits, within a bound, until no pool thread is alive but those of {@code before} (other tests' leftovers). */
    static void awaitNoThreadsBut(Set<Thread> before) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queryThreads()).isSubsetOf(before));
    }

    /** A transport to no node that counts how often it is closed. */
    private static final class RecordingTransport implements Transport {
        final AtomicInteger closes = new AtomicInteger();

        @Override
        public CompletableFuture<PartialResult> execute(NodeId node, PartitionRequest request) {
            return CompletableFuture.failedFuture(TransportException.failed("no node " + node, false));
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }
}
