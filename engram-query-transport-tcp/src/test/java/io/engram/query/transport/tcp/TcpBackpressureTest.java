package io.engram.query.transport.tcp;

import static io.engram.query.transport.tcp.TcpFixtures.CALLER;
import static io.engram.query.transport.tcp.TcpFixtures.SERVER;
import static io.engram.query.transport.tcp.TcpFixtures.context;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.engram.query.api.Confidence;
import io.engram.query.api.Cue;
import io.engram.query.api.Deadline;
import io.engram.query.api.Embedding;
import io.engram.query.api.Match;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.PartialResult;
import io.engram.query.api.RecallQuery;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.TransportException;
import io.engram.query.spi.config.ConfigValues;
import io.engram.query.transport.tcp.codec.BinaryCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A peer that does not read makes neither side buffer without bound. */
class TcpBackpressureTest {
    private static final int WRITE_BUFFER = 64 << 10;

    /** A recall whose 16,384-float cue makes each request frame about 64 KiB. */
    private static NodeRequest bigRequest() {
        float[] cue = new float[16_384];
        java.util.Arrays.fill(cue, 0.5f);
        RecallQuery query = RecallQuery.of(List.of(MemorySpaceId.of("s1")), Cue.of(Embedding.of(cue)), 5);
        return new NodeRequest(
                "q1",
                List.of(new PartitionRequest(
                        "q1", query, MemorySpaceId.of("s1"), Deadline.after(Duration.ofSeconds(30)))),
                0);
    }

    @Test
    void aCallerRefusesNewCallsOnAConnectionItsPeerDoesNotRead() throws Exception {
        try (ServerSocket silent = new ServerSocket()) {
            // a small receive buffer, so that the kernel does not absorb what Netty should hold back
            silent.setReceiveBufferSize(4096);
            silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    Socket socket = silent.accept();
                    // answer the handshake, then never read again
                    ByteBuf welcome = Frames.welcome(ByteBufAllocator.DEFAULT, SERVER.value());
                    byte[] bytes = new byte[welcome.readableBytes()];
                    welcome.readBytes(bytes);
                    welcome.release();
                    socket.getOutputStream().write(bytes);
                    return socket;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            java.net.URI address = java.net.URI.create("tcp://127.0.0.1:" + silent.getLocalPort());
            TcpConfig config =
                    new TcpConfig(16 << 20, 1024, Duration.ofSeconds(1), Duration.ofSeconds(5), WRITE_BUFFER, 1);
            try (TcpTransport client = new TcpTransport(
                    context(CALLER, Optional.empty(), () -> Map.of(SERVER, address), ConfigValues.empty()), config)) {
                NodeRequest request = bigRequest();
                List<CompletableFuture<List<PartitionReply>>> calls = new ArrayList<>();
                TransportException refusal = null;
                for (int i = 0; i < 2_000 && refusal == null; i++) {
                    CompletableFuture<List<PartitionReply>> call = client.executeAll(SERVER, request);
                    calls.add(call);
                    try {
                        call.get(20, TimeUnit.MILLISECONDS);
                    } catch (ExecutionException e) {
                        refusal = (TransportException) e.getCause();
                    } catch (java.util.concurrent.TimeoutException stillWaiting) {
                        // sent (or queued): the peer will never answer
                    }
                }

                assertThat(refusal).as("a refusal within 2,000 calls of 64 KiB").isNotNull();
                assertThat(refusal.isOverloaded()).isTrue();
                assertThat(refusal).hasMessageContaining("the node does not read");
                // what was accepted before the refusal: the kernel's buffers plus at most the write buffer and a frame
                assertThat(calls.size()).isLessThan(200);
                calls.forEach(c -> c.cancel(true));
            } finally {
                accepted.join().close();
            }
        }
    }

    @Test
    void aNodeStopsReadingRequestsWhileItsAnswersWaitUnread() throws Exception {
        AtomicInteger served = new AtomicInteger();
        String content = "x".repeat(4000);
        ConfigValues settings = ConfigValues.builder()
                .put(TcpConfig.WRITE_BUFFER_BYTES, WRITE_BUFFER)
                .build();
        try (TcpServer server = TcpServer.start(
                context(SERVER, Optional.empty(), Map::of, settings),
                new InetSocketAddress("127.0.0.1", 0),
                request -> {
                    served.incrementAndGet();
                    List<Match> matches = new ArrayList<>();
                    for (int i = 0; i < 60; i++) {
                        matches.add(
                                Match.of(MemoryId.of("m" + i), MemorySpaceId.of("s1"), Confidence.of(0.5), content));
                    }
                    // about 240 KB per answer
                    return CompletableFuture.completedFuture(List.of(PartitionReply.answered(
                            new PartialResult(MemorySpaceId.of("s1"), SERVER, matches, 1.0, Duration.ZERO))));
                },
                TcpConfig.from(settings))) {
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(4096);
                socket.connect(
                        new InetSocketAddress("127.0.0.1", server.address().getPort()));
                OutputStream out = socket.getOutputStream();
                out.write(bytes(Frames.hello(ByteBufAllocator.DEFAULT, Frames.VERSION, "", "n9")));
                DataInputStream in = new DataInputStream(socket.getInputStream());
                in.skipBytes(in.readInt()); // WELCOME: the last thing this client reads
                BinaryCodec codec = new BinaryCodec(TcpTransport.CODEC_LIMITS);
                NodeRequest small = TcpFixtures.nodeRequest(Duration.ofSeconds(30), "s1");
                for (long id = 1; id <= 1_000; id++) {
                    ByteBuf frame = Frames.start(ByteBufAllocator.DEFAULT, Frames.REQUEST, id, 128);
                    frame.writeLong(30_000_000);
                    codec.writeNodeRequest(small, frame);
                    out.write(bytes(Frames.finish(frame)));
                }
                out.flush();

                // the node served some, then stopped reading: the count settles far below what was sent
                await().atMost(Duration.ofSeconds(10))
                        .pollDelay(Duration.ofMillis(500))
                        .pollInterval(Duration.ofMillis(500))
                        .until(new java.util.concurrent.Callable<Boolean>() {
                            private int last = -1;

                            @Override
                            public Boolean call() {
                                int now = served.get();
                                boolean settled = now == last;
                                last = now;
                                return settled;
                            }
                        });
                assertThat(served.get()).isPositive().isLessThan(100);
            }
        }
    }

    private static byte[] bytes(ByteBuf frame) {
        byte[] out = new byte[frame.readableBytes()];
        frame.readBytes(out);
        frame.release();
        return out;
    }
}
