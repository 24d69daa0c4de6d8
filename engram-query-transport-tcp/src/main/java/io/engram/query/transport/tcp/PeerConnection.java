package io.engram.query.transport.tcp;

import io.engram.query.api.NodeId;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.TransportContext;
import io.engram.query.spi.TransportException;
import io.engram.query.transport.tcp.Frames.ProtocolException;
import io.engram.query.transport.tcp.codec.BinaryCodec;
import io.engram.query.transport.tcp.codec.CodecException;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one connection of a {@link TcpTransport} to one peer: connected and handshaken once, then shared by every call
 * to that peer, each told apart by its request id. Once closed (by either side, or a broken frame) it fails every
 * call still waiting and takes no new one; the transport opens a new connection for the next call.
 */
final class PeerConnection extends ChannelInboundHandlerAdapter {
    private record Pending(NodeRequest request, CompletableFuture<List<PartitionReply>> result) {}

    private final NodeId node;
    private final URI address;
    private final TcpConfig config;
    private final BinaryCodec codec;
    private final EventLoop loop;
    private final CompletableFuture<Channel> ready = new CompletableFuture<>();
    private final ConcurrentMap<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    private volatile boolean closed;
    private volatile Channel channel;
    /** Touched only on {@link #loop}. */
    private boolean welcomed;

    private PeerConnection(NodeId node, URI address, TcpConfig config, BinaryCodec codec, EventLoop loop) {
        this.node = node;
        this.address = address;
        this.config = config;
        this.codec = codec;
        this.loop = loop;
    }

    /** Starts connecting to {@code address} and sends the handshake; calls may be sent at once, they wait for it. */
    static PeerConnection connect(
            Bootstrap bootstrap,
            NodeId node,
            URI address,
            TransportContext context,
            TcpConfig config,
            BinaryCodec codec) {
        EventLoop loop = bootstrap.config().group().next();
        PeerConnection peer = new PeerConnection(node, address, config, codec, loop);
        int connectMs = (int) config.connectTimeout().toMillis();
        bootstrap
                .clone(loop)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMs)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        context.tls()
                                .ifPresent(tls -> ch.pipeline()
                                        .addLast(
                                                TlsHandlers.client(tls, address.getHost(), address.getPort(), config)));
                        ch.pipeline()
                                .addLast(new LengthFieldBasedFrameDecoder(config.maxFrameBytes() + 4, 0, 4, 0, 4))
                                .addLast(peer);
                    }
                })
                .connect(address.getHost(), address.getPort())
                .addListener((io.netty.channel.ChannelFutureListener) connected -> {
                    if (!connected.isSuccess()) {
                        peer.connectFailed(connected.cause(), connectMs);
                        return;
                    }
                    Channel ch = connected.channel();
                    peer.channel = ch;
                    if (peer.closed) {
                        ch.close();
                        return;
                    }
                    ch.writeAndFlush(Frames.hello(
                            ch.alloc(),
                            Frames.VERSION,
                            context.clusterToken().orElse(""),
                            context.localNode().value()));
                    ScheduledFuture<?> timer = loop.schedule(
                            () -> peer.failAll(TransportException.unreachable("node " + node + " (" + address
                                    + ") did not answer the handshake within " + connectMs + " ms")),
                            connectMs,
                            TimeUnit.MILLISECONDS);
                    peer.ready.whenComplete((c, f) -> timer.cancel(false));
                });
        return peer;
    }

    URI address() {
        return address;
    }

    boolean isClosed() {
        return closed;
    }

    /** Sends {@code request}, bounded by {@code remainingNanos}; cancelling the returned future cancels it remotely. */
    CompletableFuture<List<PartitionReply>> send(NodeRequest request, long remainingNanos) {
        CompletableFuture<List<PartitionReply>> result = new CompletableFuture<>();
        long id = ids.incrementAndGet();
        pending.put(id, new Pending(request, result));
        if (closed) {
            fail(id, TransportException.unreachable("the connection to node " + node + " (" + address + ") closed"));
            return result;
        }
        long budgetMs = TimeUnit.NANOSECONDS.toMillis(remainingNanos);
        ScheduledFuture<?> timer = loop.schedule(
                () -> {
                    if (fail(
                            id,
                            TransportException.timeout("node " + node + " did not answer for "
                                    + request.describeSpaces() + " within " + budgetMs + " ms"))) {
                        cancelRemote(id);
                    }
                },
                remainingNanos,
                TimeUnit.NANOSECONDS);
        result.whenComplete((replies, failure) -> {
            timer.cancel(false);
            if (result.isCancelled() && pending.remove(id) != null) {
                cancelRemote(id);
            }
        });
        ready.whenComplete((ch, failure) -> {
            if (failure != null) {
                fail(
                        id,
                        failure instanceof TransportException te
                                ? te
                                : TransportException.unreachable("could not reach node " + node + ": " + failure));
            } else {
                write(ch, id, request);
            }
        });
        return result;
    }

    private void write(Channel ch, long id, NodeRequest request) {
        if (!pending.containsKey(id)) {
            return;
        }
        if (!ch.isActive()) {
            // closed by the peer, and this node has not yet run channelInactive: a closed channel is not writable
            // either, but it is a lost connection (retryable), not a busy peer
            fail(id, TransportException.unreachable("the connection to node " + node + " (" + address + ") closed"));
            return;
        }
        if (!ch.isWritable()) {
            fail(
                    id,
                    TransportException.overloaded("the connection to node " + node + " holds "
                            + ch.bytesBeforeWritable() + " bytes more than " + TcpConfig.WRITE_BUFFER_BYTES
                            + " allows unsent:"
                            + " the node does not read"));
            return;
        }
        long remainingNanos = request.remainingNanos();
        ByteBuf frame = Frames.start(ch.alloc(), Frames.REQUEST, id, 512);
        try {
            frame.writeLong(TimeUnit.NANOSECONDS.toMicros(remainingNanos));
            codec.writeNodeRequest(request, frame);
        } catch (RuntimeException e) {
            frame.release();
            fail(id, TransportException.failed("could not encode the node request: " + e.getMessage(), false));
            return;
        }
        Frames.finish(frame);
        int size = frame.readableBytes() - 4;
        if (size > config.maxFrameBytes()) {
            frame.release();
            fail(
                    id,
                    TransportException.failed(
                            "the node request for " + request.describeSpaces() + " is " + size + " bytes, over "
                                    + TcpConfig.MAX_FRAME_BYTES + " (" + config.maxFrameBytes() + ")",
                            false));
            return;
        }
        ch.writeAndFlush(frame).addListener(written -> {
            if (!written.isSuccess()) {
                fail(id, TransportException.unreachable("could not send to node " + node + ": " + written.cause()));
            }
        });
    }

    private void cancelRemote(long id) {
        Channel ch = channel;
        if (ch != null && ch.isActive() && ready.isDone() && !ready.isCompletedExceptionally()) {
            ch.writeAndFlush(Frames.cancel(ch.alloc(), id));
        }
    }

    /** Fails call {@code id} when it still waits; whether it did. */
    private boolean fail(long id, TransportException failure) {
        Pending call = pending.remove(id);
        if (call == null) {
            return false;
        }
        call.result().completeExceptionally(failure);
        return true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        ByteBuf frame = (ByteBuf) message;
        try {
            if (frame.readableBytes() < Frames.HEADER_BYTES) {
                throw new ProtocolException("a frame of " + frame.readableBytes() + " bytes");
            }
            byte type = frame.readByte();
            long id = frame.readLong();
            if (type == Frames.REFUSED) {
                String why = Frames.readString(frame, "refusal");
                failAll(TransportException.failed(
                        "node " + node + " (" + address + ") refused the connection: " + why, false));
                return;
            }
            if (!welcomed) {
                if (type != Frames.WELCOME) {
                    throw new ProtocolException("the handshake was answered with " + Frames.name(type));
                }
                short version = frame.readShort();
                if (version != Frames.VERSION) {
                    throw new ProtocolException(
                            "the node speaks protocol version " + version + ", this node version " + Frames.VERSION);
                }
                welcomed = true;
                ready.complete(ctx.channel());
                return;
            }
            switch (type) {
                case Frames.REPLY -> reply(id, frame);
                case Frames.ERROR -> {
                    TransportException failure = Frames.readError(frame);
                    fail(id, failure);
                }
                default -> throw new ProtocolException("a " + Frames.name(type) + " frame is not an answer");
            }
        } catch (ProtocolException | IndexOutOfBoundsException e) {
            failAll(TransportException.failed(
                    "node " + node + " (" + address + ") broke the tcp protocol: " + e.getMessage(), false));
        } finally {
            frame.release();
        }
    }

    private void reply(long id, ByteBuf frame) {
        Pending call = pending.remove(id);
        if (call == null) {
            return; // cancelled or timed out: the answer came too late
        }
        try {
            call.result().complete(PartitionReply.checked(node, call.request(), codec.readReplies(frame)));
        } catch (CodecException e) {
            call.result()
                    .completeExceptionally(TransportException.failed(
                            "malformed answer from node " + node + ": " + e.getMessage(), false));
        } catch (TransportException e) {
            call.result().completeExceptionally(e);
        }
    }

    private void connectFailed(Throwable cause, int connectMs) {
        TransportException failure;
        if (cause instanceof ConnectTimeoutException) {
            failure = TransportException.unreachable(
                    "could not connect to node " + node + " (" + address + ") within " + connectMs + " ms");
        } else if (cause instanceof ConnectException) {
            failure = TransportException.unreachable("node " + node + " refused the connection (" + address + ")");
        } else {
            failure = TransportException.unreachable(
                    "could not connect to node " + node + " (" + address + "): " + cause);
        }
        failAll(failure);
    }

    /** Closes the connection and fails every call still waiting, and those that come later, with {@code failure}. */
    private void failAll(TransportException failure) {
        closed = true;
        ready.completeExceptionally(failure);
        for (Long id : List.copyOf(pending.keySet())) {
            fail(id, failure);
        }
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        failAll(TransportException.unreachable(
                "the connection to node " + node + " (" + address + ") closed before it answered"));
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        javax.net.ssl.SSLException tls = TlsHandlers.tlsFailure(cause);
        if (tls != null) {
            // a certificate the peer or this node does not trust: trying again will not help
            failAll(TransportException.failed(
                    "the TLS handshake with node " + node + " (" + address + ") failed: " + tls.getMessage(), false));
        } else if (cause instanceof TooLongFrameException) {
            failAll(TransportException.failed(
                    "node " + node + " sent a frame over " + TcpConfig.MAX_FRAME_BYTES + " (" + config.maxFrameBytes()
                            + "): " + cause.getMessage(),
                    false));
        } else {
            failAll(TransportException.unreachable("the connection to node " + node + " failed: " + cause));
        }
    }

    void close() {
        failAll(TransportException.unreachable("the connection to node " + node + " was closed by this node"));
    }
}
