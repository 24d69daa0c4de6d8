package io.engram.query.transport.tcp;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.NodeId;
import io.engram.query.api.PartialResult;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.engram.query.spi.PartitionRequest;
import io.engram.query.spi.Transport;
import io.engram.query.spi.TransportContext;
import io.engram.query.spi.TransportException;
import io.engram.query.transport.tcp.codec.BinaryCodec;
import io.engram.query.transport.tcp.codec.CodecLimits;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends node requests to peers' tcp listeners ({@link TcpServer}) over one persistent connection per peer, opened on
 * the first call and again after it closed (a peer that restarted is reached on the next call). Requests share the
 * connection, told apart by id. Each carries the remaining deadline and is bounded by it; cancelling its future sends
 * a CANCEL frame, which stops the work on the serving node.
 *
 * <p>Failures map to {@link TransportException} as the HTTP transport's do: no address known, connection refused,
 * or closed before the answer → {@code UNREACHABLE}, retryable; no answer by the deadline → {@code TIMEOUT}; the
 * handshake refused (a wrong token, another protocol version) → {@code FAILED}, not retryable; a malformed or
 * oversized answer, or one for other spaces → {@code FAILED}, not retryable; the serving node's own failure as it
 * said it (overloaded, rejected, ...). A connection whose peer does not read (more than
 * {@code transport.tcp.write_buffer_bytes} unsent) takes no new call: it fails at once as overloaded, so the
 * coordinator tries another copy instead of buffering without bound.
 *
 * <p>Futures complete on the transport's event-loop thread: stages chained on them must not block.
 */
public final class TcpTransport implements Transport {
    private final TransportContext context;
    private final TcpConfig config;
    private final BinaryCodec codec;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final ConcurrentMap<NodeId, PeerConnection> peers = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    public TcpTransport(TransportContext context, TcpConfig config) {
        this.context = requireNonNull(context, "context is null");
        this.config = requireNonNull(config, "config is null");
        this.codec = new BinaryCodec(CODEC_LIMITS);
        this.group = EventLoops.group("engram-tcp-client", config.ioThreads());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(EventLoops.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(
                        ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.writeBufferBytes() / 2, config.writeBufferBytes()));
    }

    /**
     * What the codec accepts inside a frame. {@code transport.tcp.max_frame_bytes} bounds the frame; within it the
     * codec's own limits bound each string and list, and every length is checked against the bytes the frame holds.
     */
    static final CodecLimits CODEC_LIMITS = CodecLimits.DEFAULTS;

    @Override
    public boolean batches() {
        return true;
    }

    @Override
    public CompletableFuture<PartialResult> execute(NodeId node, PartitionRequest request) {
        return executeAll(node, new NodeRequest(request.queryId(), List.of(request), 0))
                .thenApply(replies -> {
                    PartitionReply reply = replies.get(0);
                    if (reply.failure().isPresent()) {
                        throw reply.failure().get();
                    }
                    return reply.result().orElseThrow();
                });
    }

    @Override
    public CompletableFuture<List<PartitionReply>> executeAll(NodeId node, NodeRequest request) {
        requireNonNull(node, "node is null");
        requireNonNull(request, "request is null");
        if (closed.get()) {
            return CompletableFuture.failedFuture(TransportException.unreachable("the tcp transport is closed"));
        }
        long remainingNanos = request.remainingNanos();
        if (remainingNanos <= 0) {
            return CompletableFuture.failedFuture(TransportException.timeout(
                    "the deadline passed before " + request.describeSpaces() + " could be asked of " + node));
        }
        Optional<URI> address = context.transportAddressOf(node);
        if (address.isEmpty()) {
            return CompletableFuture.failedFuture(
                    TransportException.unreachable("no tcp transport address is known for node '" + node + "'"));
        }
        PeerConnection open = peers.get(node);
        PeerConnection peer = usable(open, address.get())
                ? open
                : peers.compute(
                        node,
                        (id, current) ->
                                usable(current, address.get()) ? current : replace(current, id, address.get()));
        return peer.send(request, remainingNanos);
    }

    private static boolean usable(PeerConnection connection, URI address) {
        return connection != null && connection.address().equals(address) && !connection.isClosed();
    }

    private PeerConnection replace(PeerConnection current, NodeId node, URI address) {
        if (current != null) {
            current.close();
        }
        return PeerConnection.connect(bootstrap, node, address, context, config, codec);
    }

    /** Closes every connection (their pending calls fail as unreachable) and stops the event loop. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        peers.values().forEach(PeerConnection::close);
        peers.clear();
        group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
