package io.engram.query.transport.tcp;

import static io.engram.query.transport.tcp.TcpFixtures.CALLER;
import static io.engram.query.transport.tcp.TcpFixtures.SERVER;
import static io.engram.query.transport.tcp.TcpFixtures.answer;
import static io.engram.query.transport.tcp.TcpFixtures.context;
import static io.engram.query.transport.tcp.TcpFixtures.nodeRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.engram.query.api.MissingReason;
import io.engram.query.api.PartialResult;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.NodeRequestHandler;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.TransportException;
import io.engram.query.spi.config.ConfigValues;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real tcp listener and client on loopback: answers, deadlines, cancellation, refusals, reconnects. */
class TcpTransportTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private final List<AutoCloseable> open = new ArrayList<>();
    private final AtomicReference<URI> serverAddress = new AtomicReference<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private TcpServer serve(NodeRequestHandler handler, Optional<String> token, ConfigValues settings) {
        return serve(handler, token, settings, 0);
    }

    private TcpServer serve(NodeRequestHandler handler, Optional<String> token, ConfigValues settings, int port) {
        TcpServer server = TcpServer.start(
                context(SERVER, token, Map::of, settings),
                new InetSocketAddress("127.0.0.1", port),
                handler,
                TcpConfig.from(settings));
        open.add(server);
        serverAddress.set(server.address());
        return server;
    }

    private TcpTransport client(Optional<String> token) {
        TcpTransport transport = new TcpTransport(
                context(
                        CALLER,
                        token,
                        () -> serverAddress.get() == null ? Map.of() : Map.of(SERVER, serverAddress.get()),
                        ConfigValues.empty()),
                TcpConfig.defaults());
        open.add(transport);
        return transport;
    }

    /** A handler that never answers, remembering each request it got. */
    private static NodeRequestHandler hanging(List<NodeRequest> running) {
        return request -> {
            running.add(request);
            return new CompletableFuture<>();
        };
    }

    private static TransportException failureOf(CompletableFuture<?> call) {
        try {
            call.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(TransportException.class);
            return (TransportException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the call succeeded");
    }

    @Test
    void aNodeRequestIsAnsweredWithOneReplyPerPartitionInOrder() throws Exception {
        serve(request -> CompletableFuture.completedFuture(answer(request)), Optional.empty(), ConfigValues.empty());
        NodeRequest request = nodeRequest(Duration.ofSeconds(5), "s1", "s2", "s3");

        List<PartitionReply> replies =
                client(Optional.empty()).executeAll(SERVER, request).get(10, TimeUnit.SECONDS);

        assertThat(replies).isEqualTo(answer(request));
    }

    @Test
    void aSinglePartitionGoesAsANodeRequestOfOne() throws Exception {
        serve(request -> CompletableFuture.completedFuture(answer(request)), Optional.empty(), ConfigValues.empty());
        NodeRequest request = nodeRequest(Duration.ofSeconds(5), "s1");

        PartialResult result = client(Optional.empty())
                .execute(SERVER, request.partitions().get(0))
                .get(10, TimeUnit.SECONDS);

        assertThat(result).isEqualTo(answer(request).get(0).result().orElseThrow());
    }

    @Test
    void theServingNodeGetsTheCallersRemainingDeadline() throws Exception {
        AtomicReference<Duration> seen = new AtomicReference<>();
        serve(
                request -> {
                    seen.set(request.partitions().get(0).deadline().remaining());
                    return CompletableFuture.completedFuture(answer(request));
                },
                Optional.empty(),
                ConfigValues.empty());

        client(Optional.empty())
                .executeAll(SERVER, nodeRequest(Duration.ofMillis(3_000), "s1"))
                .get(10, TimeUnit.SECONDS);

        assertThat(seen.get()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(3_000));
    }

    @Test
    void cancellingACallStopsTheWorkOnTheServingNode() {
        List<NodeRequest> running = new CopyOnWriteArrayList<>();
        List<CompletableFuture<List<PartitionReply>>> work = new CopyOnWriteArrayList<>();
        serve(
                request -> {
                    running.add(request);
                    CompletableFuture<List<PartitionReply>> never = new CompletableFuture<>();
                    work.add(never);
                    return never;
                },
                Optional.empty(),
                ConfigValues.empty());
        CompletableFuture<List<PartitionReply>> call =
                client(Optional.empty()).executeAll(SERVER, nodeRequest(Duration.ofSeconds(30), "s1"));
        await().atMost(AWAIT).until(() -> running.size() == 1);

        call.cancel(true);

        await().atMost(AWAIT).until(() -> work.get(0).isCancelled());
        assertThat(running.get(0).partitions().get(0).deadline().isCancelled()).isTrue();
    }

    @Test
    void aCallerThatGoesAwayCancelsItsWork() {
        List<NodeRequest> running = new CopyOnWriteArrayList<>();
        serve(hanging(running), Optional.empty(), ConfigValues.empty());
        TcpTransport client = client(Optional.empty());
        CompletableFuture<List<PartitionReply>> call =
                client.executeAll(SERVER, nodeRequest(Duration.ofSeconds(30), "s1"));
        await().atMost(AWAIT).until(() -> running.size() == 1);

        client.close();

        await().atMost(AWAIT)
                .until(() -> running.get(0).partitions().get(0).deadline().isCancelled());
        assertThat(failureOf(call).reason()).isEqualTo(MissingReason.UNREACHABLE);
    }

    @Test
    void aCallNotAnsweredByItsDeadlineTimesOutAndIsCancelledThere() {
        List<NodeRequest> running = new CopyOnWriteArrayList<>();
        serve(hanging(running), Optional.empty(), ConfigValues.empty());

        TransportException failure =
                failureOf(client(Optional.empty()).executeAll(SERVER, nodeRequest(Duration.ofMillis(200), "s1")));

        assertThat(failure.reason()).isEqualTo(MissingReason.TIMEOUT);
        assertThat(failure).hasMessageStartingWith("node n2 did not answer for space 's1' within ");
        await().atMost(AWAIT)
                .until(() -> running.get(0).partitions().get(0).deadline().isCancelled());
    }

    @Test
    void aWrongOrMissingTokenIsRefusedWithoutRetry() {
        serve(
                request -> CompletableFuture.completedFuture(answer(request)),
                Optional.of("s3cret"),
                ConfigValues.empty());

        TransportException wrong =
                failureOf(client(Optional.of("guess")).executeAll(SERVER, nodeRequest(Duration.ofSeconds(5), "s1")));
        TransportException missing =
                failureOf(client(Optional.empty()).executeAll(SERVER, nodeRequest(Duration.ofSeconds(5), "s1")));

        assertThat(wrong.reason()).isEqualTo(MissingReason.FAILED);
        assertThat(wrong.isRetryable()).isFalse();
        assertThat(wrong).hasMessageEndingWith("refused the connection: cluster token rejected by node n2");
        assertThat(missing).hasMessageEndingWith("refused the connection: cluster token missing by node n2");
    }

    @Test
    void theRightTokenIsAdmitted() throws Exception {
        serve(
                request -> CompletableFuture.completedFuture(answer(request)),
                Optional.of("s3cret"),
                ConfigValues.empty());

        assertThat(client(Optional.of("s3cret"))
                        .executeAll(SERVER, nodeRequest(Duration.ofSeconds(5), "s1"))
                        .get(10, TimeUnit.SECONDS))
                .hasSize(1);
    }

    @Test
    void theServingNodesOwnFailureArrivesAsItSaidIt() {
        serve(
                request -> CompletableFuture.failedFuture(TransportException.overloaded("node n2 is at its cap")),
                Optional.empty(),
                ConfigValues.empty());

        TransportException failure =
                failureOf(client(Optional.empty()).executeAll(SERVER, nodeRequest(Duration.ofSeconds(5), "s1")));

        assertThat(failure.isOverloaded()).isTrue();
        assertThat(failure).hasMessage("node n2 is at its cap");
    }

    @Test
    void aRequestThisNodeCanNotRunIsRejected() {
        serve(
                request -> CompletableFuture.failedFuture(new IllegalArgumentException("space 's9' is not held here")),
                Optional.empty(),
                ConfigValues.empty());

        TransportException failure =
                failureOf(client(Optional.empty()).executeAll(SERVER, nodeRequest(Duration.ofSeconds(5), "s9")));

        assertThat(failure.reason()).isEqualTo(MissingReason.REJECTED);
        assertThat(failure).hasMessage("node n2 rejected the node request: space 's9' is not held here");
    }

    @Test
    void requestsPastTheInFlightCapOfAConnectionAreOverloaded() {
        List<NodeRequest> running = new CopyOnWriteArrayList<>();
        serve(
                request -> {
                    running.add(request);
                    return new CompletableFuture<>();
                },
                Optional.empty(),
                ConfigValues.builder().put(TcpConfig.MAX_IN_FLIGHT, 1).build());
        TcpTransport client = client(Optional.empty());
        client.executeAll(SERVER, nodeRequest(Duration.ofSeconds(30), "s1"));
        await().atMost(AWAIT).until(() -> running.size() == 1);

        TransportException failure = failureOf(client.executeAll(SERVER, nodeRequest(Duration.ofSeconds(30), "s2")));

        assertThat(failure.isOverloaded()).isTrue();
        assertThat(failure)
                .hasMessage("node n2 runs its cap of 1 requests of this connection (transport.tcp.max_in_flight)");
    }

    @Test
    void aPeerThatRestartedIsReachedAgainOnTheNextCall() throws Exception {
        TcpServer first = serve(
                request -> CompletableFuture.completedFuture(answer(request)), Optional.empty(), ConfigValues.empty());
        TcpTransport client = client(Optional.empty());
        client.executeAll(SERVER, nodeRequest(Duration.ofSeconds(5), "s1")).get(10, TimeUnit.SECONDS);
        int port = first.address().getPort();

        first.close();
        TransportException down = failureOf(client.executeAll(SERVER, nodeRequest(Duration.ofSeconds(5), "s1")));
        serve(
                request -> CompletableFuture.completedFuture(answer(request)),
                Optional.empty(),
                ConfigValues.empty(),
                port);

        assertThat(down.reason()).isEqualTo(MissingReason.UNREACHABLE);
        assertThat(down.isRetryable()).isTrue();
        assertThat(client.executeAll(SERVER, nodeRequest(Duration.ofSeconds(5), "s1"))
                        .get(10, TimeUnit.SECONDS))
                .hasSize(1);
    }

    @Test
    void aCallMeetingAConnectionThePeerJustClosedIsUnreachableNotOverloaded() throws Exception {
        // a closed channel is also "not writable": that must not read as a busy peer (FAILED, not retried)
        TcpServer server = serve(
                request -> CompletableFuture.completedFuture(answer(request)), Optional.empty(), ConfigValues.empty());
        int port = server.address().getPort();
        TcpTransport client = client(Optional.empty());
        for (int round = 0; round < 20; round++) {
            client.executeAll(SERVER, nodeRequest(Duration.ofSeconds(5), "s1")).get(10, TimeUnit.SECONDS);
            server.close();
            TransportException down = failureOf(client.executeAll(SERVER, nodeRequest(Duration.ofSeconds(5), "s1")));
            assertThat(down.reason())
                    .as("round %d: %s", round, down.getMessage())
                    .isEqualTo(MissingReason.UNREACHABLE);
            assertThat(down.isRetryable()).isTrue();
            server = serve(
                    request -> CompletableFuture.completedFuture(answer(request)),
                    Optional.empty(),
                    ConfigValues.empty(),
                    port);
        }
    }

    @Test
    void aNodeWithNoKnownAddressIsUnreachable() {
        TransportException failure =
                failureOf(client(Optional.empty()).executeAll(SERVER, nodeRequest(Duration.ofSeconds(5), "s1")));

        assertThat(failure.reason()).isEqualTo(MissingReason.UNREACHABLE);
        assertThat(failure).hasMessage("no tcp transport address is known for node 'n2'");
    }
}
