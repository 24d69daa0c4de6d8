package io.engram.query.benchmarks.scatter;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The exchanges of {@link LoopbackExchanges} on Netty 4.2, the shape issue 20 expects of the binary node-to-node
 * transport: one persistent channel per peer, frames of a 4-byte length ({@link LengthFieldPrepender},
 * {@link LengthFieldBasedFrameDecoder}) holding a 4-byte request id and the body, so that the calls of a round share
 * the channel and answers are matched by id; native epoll when {@link Epoll#isAvailable()}, NIO otherwise. The servers
 * answer on their event loop; the client's event loop completes the answers. Bodies and answers are the sizes of
 * {@link LoopbackExchanges}. Nothing in the product uses it.
 */
final class LoopbackNetty implements LoopbackRounds {
    static final int HEADER_BYTES = Integer.BYTES;
    private static final int MAX_FRAME_BYTES = 1 << 16;

    private final EventLoopGroup serverLoops;
    private final EventLoopGroup clientLoops;
    private final List<Channel> channels = new ArrayList<>();
    private final List<Peer> peers = new ArrayList<>();
    private final int[] callsPerRound;
    private final byte[] request = new byte[LoopbackExchanges.REQUEST_BYTES];

    /**
     * Starts one server per peer, their channels on event loops of their own (as separate nodes would have), and one
     * channel to each from a client of {@code clientLoops} event loops; {@code callsPerRound[r]} exchanges run at once
     * in round {@code r}.
     */
    LoopbackNetty(int[] callsPerRound, int clientLoops) {
        if (clientLoops < 1) {
            throw new IllegalArgumentException("clientLoops must be at least 1, got " + clientLoops);
        }
        this.callsPerRound = callsPerRound.clone();
        int width = LoopbackExchanges.width(callsPerRound);
        // Each server channel and its one accepted channel land on a loop of their own (the group hands out its
        // loops in turn), so the peers do not share a thread, as distinct nodes would not.
        this.serverLoops = new MultiThreadIoEventLoopGroup(2 * width, ioHandlerFactory());
        this.clientLoops = new MultiThreadIoEventLoopGroup(clientLoops, ioHandlerFactory());
        try {
            for (int i = 0; i < width; i++) {
                connect(startServer());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** {@code "epoll"} or {@code "nio"}: the I/O this JVM's Netty channels use. */
    static String io() {
        return Epoll.isAvailable() ? "epoll" : "nio";
    }

    private static IoHandlerFactory ioHandlerFactory() {
        return Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    private static Class<? extends ServerChannel> serverChannelType() {
        return Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    private static Class<? extends Channel> channelType() {
        return Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    private static void frames(Channel channel, ChannelHandler handler) {
        channel.pipeline()
                .addLast(new LengthFieldBasedFrameDecoder(MAX_FRAME_BYTES, 0, 4, 0, 4))
                .addLast(new LengthFieldPrepender(4))
                .addLast(handler);
    }

    private InetSocketAddress startServer() {
        Answerer answerer = new Answerer();
        Channel server = new ServerBootstrap()
                .group(serverLoops)
                .channel(serverChannelType())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        frames(channel, answerer);
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0)
                .syncUninterruptibly()
                .channel();
        channels.add(server);
        return (InetSocketAddress) server.localAddress();
    }

    private void connect(InetSocketAddress server) {
        Peer peer = new Peer();
        Channel channel = new Bootstrap()
                .group(clientLoops)
                .channel(channelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        frames(channel, peer);
                    }
                })
                .connect(server)
                .syncUninterruptibly()
                .channel();
        channels.add(channel);
        peer.channel = channel;
        peers.add(peer);
    }

    @Override
    public long runRounds() {
        return LoopbackExchanges.runRounds(
                callsPerRound, server -> peers.get(server).exchange(request));
    }

    @Override
    public void close() {
        for (Channel channel : channels) {
            channel.close();
        }
        for (EventLoopGroup group : new EventLoopGroup[] {clientLoops, serverLoops}) {
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    /** A server's side of its channels: reads a frame's id and body, writes the id and the answer. */
    @ChannelHandler.Sharable
    private static final class Answerer extends SimpleChannelInboundHandler<ByteBuf> {
        private final byte[] answer = new byte[LoopbackExchanges.ANSWER_BYTES];

        @Override
        protected void channelRead0(ChannelHandlerContext context, ByteBuf frame) {
            int id = frame.readInt();
            if (frame.readableBytes() != LoopbackExchanges.REQUEST_BYTES) {
                context.close();
                return;
            }
            ByteBuf reply = context.alloc().buffer(HEADER_BYTES + answer.length);
            reply.writeInt(id).writeBytes(answer);
            context.writeAndFlush(reply, context.voidPromise());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            context.close();
        }
    }

    /** The client's side of one channel: requests by id, completed by the answer carrying the same id. */
    private static final class Peer extends SimpleChannelInboundHandler<ByteBuf> {
        private final Map<Integer, CompletableFuture<byte[]>> waiting = new ConcurrentHashMap<>();
        private final AtomicInteger ids = new AtomicInteger();
        private volatile Channel channel;

        CompletableFuture<byte[]> exchange(byte[] request) {
            // A server that died would leave the answer waiting forever: a benchmark must fail instead.
            CompletableFuture<byte[]> answer = new CompletableFuture<byte[]>().orTimeout(10, TimeUnit.SECONDS);
            int id = ids.incrementAndGet();
            waiting.put(id, answer);
            ByteBuf frame = channel.alloc().buffer(HEADER_BYTES + request.length);
            frame.writeInt(id).writeBytes(request);
            channel.writeAndFlush(frame).addListener(written -> {
                if (!written.isSuccess()) {
                    fail(id, written.cause());
                }
            });
            return answer;
        }

        private void fail(int id, Throwable cause) {
            CompletableFuture<byte[]> answer = waiting.remove(id);
            if (answer != null) {
                answer.completeExceptionally(cause);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext context, ByteBuf frame) {
            int id = frame.readInt();
            byte[] answer = new byte[frame.readableBytes()];
            frame.readBytes(answer);
            CompletableFuture<byte[]> waiter = waiting.remove(id);
            if (waiter != null) {
                waiter.complete(answer);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext context) {
            failAll(new ClosedChannelException());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
            failAll(cause instanceof IOException ? cause : new IOException(cause));
            context.close();
        }

        private void failAll(Throwable cause) {
            for (Integer id : List.copyOf(waiting.keySet())) {
                fail(id, cause);
            }
        }
    }
}
