package io.engram.query.spi;

import io.engram.query.spi.config.ConfigKey;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/** Creates the {@link Transport} selected by name in the configuration ({@code transport.type}). */
public interface TransportFactory extends Named {
    Transport create(TransportContext context);

    /**
     * The settings this transport reads, each named {@code transport.<name>.<key>}: the host reads and validates them
     * with the rest of its configuration, documents them, and hands the values over typed in
     * {@link TransportContext#settings()}. The default has none.
     */
    default List<ConfigKey<?>> configKeys() {
        return List.of();
    }

    /**
     * Starts serving peers' node requests on this transport's own listener, for a transport with a port of its own;
     * the default has none (the HTTP transport is served by the node's HTTP server). The host closes what it returns.
     *
     * @param context the node, its cluster token and the transport settings
     * @param listen where to listen; port 0 takes any free port ({@link TransportServer#address} says which)
     * @param handler runs each request on this node; cancelling its future means the caller went away
     * @throws IllegalStateException when the address can not be bound
     */
    default Optional<TransportServer> serve(
            TransportContext context, InetSocketAddress listen, NodeRequestHandler handler) {
        return Optional.empty();
    }
}
