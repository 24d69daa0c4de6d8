package io.engram.query.transport.tcp;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Deadline;
import io.engram.query.api.Printable;
import io.engram.query.executor.resilience.NodeCallPolicy;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.NodeRequestHandler;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.TransportContext;
import io.engram.query.spi.TransportException;
import io.engram.query.spi.TransportServer;
import io.engram.query.transport.tcp.Frames.ProtocolException;
import io.engram.query.transport.tcp.codec.BinaryCodec;
import io.engram.query.transport.tcp.codec.CodecException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tcp transport's listener: serves peers' node requests on its own port. Each connection must open with a
 * handshake (protocol version, cluster token) within {@code transport.tcp.handshake_timeout_ms}; a connection that
 * sends anything else, a frame over {@code transport.tcp.max_frame_bytes}, another protocol version or a wrong token
 * is answered with one REFUSED frame saying why and closed, and the node goes on serving the others.
 *
 * <p>With the node's {@code [tls]} ({@link io.engram.query.spi.TransportContext#tls}) the listener speaks only TLS,
 * and under mutual TLS refuses a peer without a certificate signed by the CA.
 *
 * <p>A request runs with the deadline the caller sent (its remaining time on arrival); a CANCEL frame, or the
 * connection closing, cancels it: its deadline is cancelled, so the engine stops at its next check. At most
 * {@code transport.tcp.max_in_flight} requests of one connection run at once; one more is answered as overloaded.
 * When answers pile up unsent (the peer does not read), the connection stops reading requests until they drain.
 */
final class TcpServer implements TransportServer {
    private static final Logger LOG = LoggerFactory.getLogger(TcpServer.class);
    /** How long past its deadline a request may run before it is answered as timed out (as the HTTP listener). */
    private static final long DEADLINE_GRACE_MS = 1_000;

    private final EventLoopGroup group;
    private final Channel listening;
    /** Every accepted connection still open: closed by {@link #close}, as stopping the event loops does not. */
    private final ChannelGroup connections;

    private final URI address;

    private TcpServer(EventLoopGroup group, Channel listening, ChannelGroup connections, URI address) {
        this.group = group;
        this.listening = listening;
        this.connections = connections;
        this.address = address;
    }

    static TcpServer start(
            TransportContext context, InetSocketAddress listen, NodeRequestHandler handler, TcpConfig config) {
        requireNonNull(context, "context is null");
        requireNonNull(handler, "handler is null");
        ClusterToken token = new ClusterToken(context.clusterToken());
        BinaryCodec codec = new BinaryCodec(TcpTransport.CODEC_LIMITS);
        String node = context.localNode().value();
        EventLoopGroup group = EventLoops.group("engram-tcp-server", config.ioThreads());
        ChannelGroup connections = new DefaultChannelGroup("engram-tcp-connections", group.next());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(EventLoops.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(
                        ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.writeBufferBytes() / 2, config.writeBufferBytes()))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        connections.add(channel);
                        context.tls().ifPresent(tls -> channel.pipeline().addLast(TlsHandlers.server(tls, config)));
                        channel.pipeline()
                                .addLast(new LengthFieldBasedFrameDecoder(config.maxFrameBytes() + 4, 0, 4, 0, 4))
                                .addLast(new Connection(node, token, codec, handler, config));
                    }
                });
        Channel listening;
        try {
            listening = bootstrap.bind(listen).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
            throw new IllegalStateException(
                    "the tcp transport can not listen on " + listen.getHostString() + ":" + listen.getPort() + ": "
                            + e.getMessage(),
                    e);
        }
        InetSocketAddress bound = (InetSocketAddress) listening.localAddress();
        TcpServer server = new TcpServer(
                group, listening, connections, URI.create("tcp://" + hostOf(listen, bound) + ":" + bound.getPort()));
        LOG.info(
                "node {} serves the tcp transport on {} ({})",
                node,
                server.address,
                EventLoops.nativeEpoll() ? "native epoll" : "NIO");
        return server;
    }

    /** The host peers should dial: the configured one, unless it is a wildcard (then the loopback address). */
    private static String hostOf(InetSocketAddress listen, InetSocketAddress bound) {
        if (listen.getAddress() != null && listen.getAddress().isAnyLocalAddress()) {
            return bound.getAddress().isAnyLocalAddress()
                    ? "127.0.0.1"
                    : bound.getAddress().getHostAddress();
        }
        String host = listen.getHostString();
        return host.contains(":") ? "[" + host + "]" : host;
    }

    @Override
    public URI address() {
        return address;
    }

    /** Stops accepting, closes every connection (which cancels the requests still running), stops the event loops. */
    @Override
    public void close() {
        listening.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    /** One peer's connection: its handshake, then its requests. */
    private static final class Connection extends ChannelInboundHandlerAdapter {
        private final String node;
        private final ClusterToken token;
        private final BinaryCodec codec;
        private final NodeRequestHandler handler;
        private final TcpConfig config;
        /** The requests running, by id; touched only on the connection's event loop. */
        private final Map<Long, Runnable> running = new HashMap<>();

        private boolean welcomed;
        private boolean refused;
        private ScheduledFuture<?> handshakeTimer;

        Connection(String node, ClusterToken token, BinaryCodec codec, NodeRequestHandler handler, TcpConfig config) {
            this.node = node;
            this.token = token;
            this.codec = codec;
            this.handler = handler;
            this.config = config;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            long ms = config.handshakeTimeout().toMillis();
            handshakeTimer = ctx.executor()
                    .schedule(
                            () -> refuse(ctx, "no handshake within " + ms + " ms (transport.tcp.handshake_timeout_ms)"),
                            ms,
                            TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object message) {
            ByteBuf frame = (ByteBuf) message;
            try {
                if (refused) {
                    return;
                }
                if (frame.readableBytes() < Frames.HEADER_BYTES) {
                    throw new ProtocolException("a frame of " + frame.readableBytes() + " bytes is shorter than its "
                            + Frames.HEADER_BYTES + "-byte header");
                }
                byte type = frame.readByte();
                long id = frame.readLong();
                if (!welcomed) {
                    handshake(ctx, type, frame);
                    return;
                }
                switch (type) {
                    case Frames.REQUEST -> request(ctx, id, frame);
                    case Frames.CANCEL -> {
                        Runnable stop = running.remove(id);
                        if (stop != null) {
                            stop.run();
                        }
                    }
                    default ->
                        throw new ProtocolException(
                                "a " + Frames.name(type) + " frame is not one a node accepts after the handshake");
                }
            } catch (ProtocolException e) {
                refuse(ctx, e.getMessage());
            } finally {
                frame.release();
            }
        }

        private void handshake(ChannelHandlerContext ctx, byte type, ByteBuf frame) {
            if (type != Frames.HELLO || frame.readableBytes() < 6 || frame.readInt() != Frames.MAGIC) {
                throw new ProtocolException("not an Engram transport handshake: a connection must open with HELLO"
                        + " (protocol version " + Frames.VERSION + ")");
            }
            short version = frame.readShort();
            if (version != Frames.VERSION) {
                throw new ProtocolException("protocol version " + version + " is not spoken here: node " + node
                        + " speaks version " + Frames.VERSION);
            }
            String presented = Frames.readString(frame, "token");
            String caller = Frames.readString(frame, "caller");
            if (!token.admits(presented)) {
                LOG.warn(
                        "node {} refused a tcp connection from {} ({}): cluster token {}",
                        node,
                        ctx.channel().remoteAddress(),
                        Printable.of(caller),
                        presented.isEmpty() ? "missing" : "rejected");
                throw new ProtocolException(
                        "cluster token " + (presented.isEmpty() ? "missing" : "rejected") + " by node " + node);
            }
            welcomed = true;
            handshakeTimer.cancel(false);
            ctx.writeAndFlush(Frames.welcome(ctx.alloc(), node));
        }

        private void request(ChannelHandlerContext ctx, long id, ByteBuf frame) {
            if (frame.readableBytes() < 8) {
                throw new ProtocolException("a REQUEST frame ends before its deadline");
            }
            long micros = frame.readLong();
            if (!ctx.channel().isWritable()) {
                // earlier answers wait unsent (the peer does not read): run nothing more for it until they drain
                answer(
                        ctx,
                        id,
                        TransportException.overloaded("node " + node + " holds answers the caller has not read ("
                                + TcpConfig.WRITE_BUFFER_BYTES + " " + config.writeBufferBytes() + ")"));
                return;
            }
            if (running.size() >= config.maxInFlight()) {
                answer(
                        ctx,
                        id,
                        TransportException.overloaded("node " + node + " runs its cap of " + config.maxInFlight()
                                + " requests of this connection (transport.tcp.max_in_flight)"));
                return;
            }
            Deadline deadline =
                    Deadline.after(Duration.ofNanos(Math.max(0, Math.min(micros, Long.MAX_VALUE / 1000)) * 1000));
            NodeRequest request;
            try {
                request = codec.readNodeRequest(frame, deadline);
            } catch (CodecException e) {
                answer(ctx, id, TransportException.rejected("malformed node request: " + e.getMessage()));
                return;
            }
            CompletableFuture<List<PartitionReply>> work;
            try {
                work = handler.execute(request);
            } catch (RuntimeException e) {
                work = CompletableFuture.failedFuture(e);
            }
            CompletableFuture<List<PartitionReply>> started = work;
            Runnable stop = () -> {
                deadline.cancel();
                started.cancel(true);
            };
            // counted until its answer is written, so that max_in_flight also bounds the answers held unsent
            running.put(id, stop);
            long limitMs = Math.max(0, micros / 1000) + DEADLINE_GRACE_MS;
            started.orTimeout(limitMs, TimeUnit.MILLISECONDS).whenComplete((replies, failure) -> {
                ByteBuf answer = failure == null ? encode(ctx, id, replies) : null;
                Runnable send = () -> {
                    if (running.get(id) != stop || started.isCancelled()) {
                        // the caller cancelled or went away: nobody reads an answer
                        if (answer != null) {
                            answer.release();
                        }
                        return;
                    }
                    ByteBuf out = answer != null ? answer : Frames.error(ctx.alloc(), id, failureOf(failure));
                    // written at once when on the event loop: the channel's writability then already counts it when
                    // the next request of the same read is judged
                    ctx.writeAndFlush(out).addListener(written -> running.remove(id, stop));
                };
                if (ctx.executor().inEventLoop()) {
                    send.run();
                } else {
                    ctx.executor().execute(send);
                }
            });
        }

        /** The replies as a REPLY frame, or an ERROR frame when they do not fit in one. */
        private ByteBuf encode(ChannelHandlerContext ctx, long id, List<PartitionReply> replies) {
            ByteBuf out = Frames.start(ctx.alloc(), Frames.REPLY, id, 256);
            try {
                codec.writeReplies(replies, out);
            } catch (RuntimeException e) {
                out.release();
                return Frames.error(
                        ctx.alloc(),
                        id,
                        TransportException.failed(
                                "node " + node + " could not encode its answer: " + e.getMessage(), false));
            }
            Frames.finish(out);
            if (out.readableBytes() - 4 > config.maxFrameBytes()) {
                int size = out.readableBytes() - 4;
                out.release();
                return Frames.error(
                        ctx.alloc(),
                        id,
                        TransportException.failed(
                                "the answer of node " + node + " is " + size + " bytes, over "
                                        + TcpConfig.MAX_FRAME_BYTES + " (" + config.maxFrameBytes() + ")",
                                false));
            }
            return out;
        }

        private void answer(ChannelHandlerContext ctx, long id, TransportException failure) {
            ctx.writeAndFlush(Frames.error(ctx.alloc(), id, failure));
        }

        private TransportException failureOf(Throwable failure) {
            Throwable cause = NodeCallPolicy.unwrap(failure);
            if (cause instanceof TransportException e) {
                return e;
            }
            if (cause instanceof IllegalArgumentException e) {
                return TransportException.rejected("node " + node + " rejected the node request: " + e.getMessage());
            }
            if (cause instanceof TimeoutException) {
                return TransportException.timeout("node " + node + " did not finish by the deadline");
            }
            if (cause instanceof CancellationException) {
                return TransportException.failed("node " + node + " cancelled the request", false);
            }
            String errorId = UUID.randomUUID().toString();
            LOG.error("node {} failed a node request (error id {})", node, errorId, cause);
            return TransportException.failed(
                    "node " + node + " failed to answer; its log has the details under error id " + errorId, false);
        }

        /** Writes one REFUSED frame saying why, then closes the connection. */
        private void refuse(ChannelHandlerContext ctx, String why) {
            if (refused) {
                return;
            }
            refused = true;
            LOG.debug(
                    "node {} closes the tcp connection from {}: {}",
                    node,
                    ctx.channel().remoteAddress(),
                    why);
            ctx.writeAndFlush(Frames.refused(ctx.alloc(), why)).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // answers wait unsent: read no more requests until the peer takes them
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (handshakeTimer != null) {
                handshakeTimer.cancel(false);
            }
            List<Runnable> stops = List.copyOf(running.values());
            running.clear();
            stops.forEach(Runnable::run);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                refuse(
                        ctx,
                        "frame too long: " + cause.getMessage() + "; " + TcpConfig.MAX_FRAME_BYTES + " is "
                                + config.maxFrameBytes());
            } else if (TlsHandlers.tlsFailure(cause) != null) {
                // a peer without a certificate this node trusts, or one speaking plain TCP to a TLS port
                LOG.warn(
                        "node {} closed a tcp connection from {}: TLS failed: {}",
                        node,
                        ctx.channel().remoteAddress(),
                        TlsHandlers.tlsFailure(cause).getMessage());
                ctx.close();
            } else {
                LOG.debug("tcp connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
                ctx.close();
            }
        }
    }
}
