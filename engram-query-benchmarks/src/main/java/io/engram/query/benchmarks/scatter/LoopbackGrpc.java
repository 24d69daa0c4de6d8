package io.engram.query.benchmarks.scatter;

import io.grpc.CallOptions;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The exchanges of {@link LoopbackExchanges} as grpc-java unary calls (grpc-netty-shaded, plaintext HTTP/2), the
 * alternative issue 20 names: one {@link ManagedChannel} per peer, {@code directExecutor()} on the servers and the
 * channels (handlers and answers run on the event loops, no thread hop), a deadline on every call as the product would
 * carry one. No protobuf: the messages are the bodies and answers themselves, through a {@code byte[]} marshaller whose
 * streams tell grpc their length and drain in one write, as protobuf's do. The event loops are arranged as
 * {@link LoopbackNetty}'s (native epoll when available, a loop per server, {@code clientLoops} for the channels), so
 * the comparison is of the libraries. With {@code autoFlowControl} grpc's default holds: both sides size their HTTP/2
 * windows by BDP pings; without it both keep a fixed window of {@value #FIXED_WINDOW_BYTES} bytes and send no pings, as
 * one would configure for a cluster's own network. Nothing in the product uses it.
 */
final class LoopbackGrpc implements LoopbackRounds {
    static final String SERVICE = "engram.Partition";
    static final MethodDescriptor<byte[], byte[]> QUERY = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Query"))
            .setRequestMarshaller(BytesMarshaller.INSTANCE)
            .setResponseMarshaller(BytesMarshaller.INSTANCE)
            .build();
    static final int FIXED_WINDOW_BYTES = 1 << 20;

    private final boolean autoFlowControl;
    private final EventLoopGroup serverLoops;
    private final EventLoopGroup clientLoops;
    private final List<Server> servers = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final int[] callsPerRound;
    private final byte[] request = new byte[LoopbackExchanges.REQUEST_BYTES];

    /** Starts the servers and a channel to each, connected; {@code callsPerRound[r]} calls run at once in round r. */
    LoopbackGrpc(int[] callsPerRound, int clientLoops, boolean autoFlowControl) {
        if (clientLoops < 1) {
            throw new IllegalArgumentException("clientLoops must be at least 1, got " + clientLoops);
        }
        this.autoFlowControl = autoFlowControl;
        this.callsPerRound = callsPerRound.clone();
        int width = LoopbackExchanges.width(callsPerRound);
        this.serverLoops = Epoll.isAvailable() ? new EpollEventLoopGroup(2 * width) : new NioEventLoopGroup(2 * width);
        this.clientLoops =
                Epoll.isAvailable() ? new EpollEventLoopGroup(clientLoops) : new NioEventLoopGroup(clientLoops);
        try {
            for (int i = 0; i < width; i++) {
                connect(startServer());
            }
            // Channels connect on their first call: make it now, not in the first measured round.
            LoopbackExchanges.runRounds(new int[] {width}, this::exchange);
        } catch (IOException e) {
            close();
            throw new IllegalStateException("could not start the loopback grpc servers: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static Class<? extends ServerChannel> serverChannelType() {
        return Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    private static Class<? extends Channel> channelType() {
        return Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    private int startServer() throws IOException {
        byte[] answer = new byte[LoopbackExchanges.ANSWER_BYTES];
        ServerServiceDefinition service = ServerServiceDefinition.builder(SERVICE)
                .addMethod(QUERY, ServerCalls.asyncUnaryCall((byte[] body, StreamObserver<byte[]> reply) -> {
                    if (body.length != LoopbackExchanges.REQUEST_BYTES) {
                        reply.onError(Status.INVALID_ARGUMENT
                                .withDescription(
                                        "expected " + LoopbackExchanges.REQUEST_BYTES + " bytes, got " + body.length)
                                .asRuntimeException());
                        return;
                    }
                    reply.onNext(answer);
                    reply.onCompleted();
                }))
                .build();
        NettyServerBuilder builder =
                NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        if (!autoFlowControl) {
            builder.flowControlWindow(FIXED_WINDOW_BYTES);
        }
        Server server = builder.bossEventLoopGroup(serverLoops)
                .workerEventLoopGroup(serverLoops)
                .channelType(serverChannelType())
                .directExecutor()
                .addService(service)
                .build();
        servers.add(server);
        server.start();
        return server.getPort();
    }

    private void connect(int port) {
        NettyChannelBuilder builder =
                NettyChannelBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        if (!autoFlowControl) {
            builder.flowControlWindow(FIXED_WINDOW_BYTES);
        }
        channels.add(builder.eventLoopGroup(clientLoops)
                .channelType(channelType())
                .usePlaintext()
                .directExecutor()
                .build());
    }

    @Override
    public long runRounds() {
        return LoopbackExchanges.runRounds(callsPerRound, this::exchange);
    }

    private CompletableFuture<byte[]> exchange(int server) {
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        ClientCalls.asyncUnaryCall(
                channels.get(server).newCall(QUERY, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)),
                request,
                new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {
                        answer.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        answer.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        // completed by onNext; a unary call that ends without a message ends in onError
                    }
                });
        return answer;
    }

    @Override
    public void close() {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow();
        }
        for (Server server : servers) {
            server.shutdownNow();
        }
        try {
            for (ManagedChannel channel : channels) {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }
            for (Server server : servers) {
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (EventLoopGroup group : new EventLoopGroup[] {clientLoops, serverLoops}) {
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Messages that are their own bytes. */
    private enum BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new BytesStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw Status.INTERNAL
                        .withDescription("could not read a message")
                        .withCause(e)
                        .asRuntimeException();
            }
        }
    }

    /** Tells grpc its length and drains in one write, so the framer neither buffers nor copies twice. */
    private static final class BytesStream extends ByteArrayInputStream implements KnownLength, Drainable {
        BytesStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int length = count - pos;
            target.write(buf, pos, length);
            pos = count;
            return length;
        }
    }
}
