package io.engram.query.transport.tcp;

import io.engram.query.spi.NodeRequestHandler;
import io.engram.query.spi.Transport;
import io.engram.query.spi.TransportContext;
import io.engram.query.spi.TransportFactory;
import io.engram.query.spi.TransportServer;
import io.engram.query.spi.config.ConfigKey;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * The binary node-to-node transport, selected by {@code transport.type = "tcp"}: its client ({@link TcpTransport})
 * and its listener ({@link TcpServer}), both configured by the {@code transport.tcp.*} settings ({@link TcpConfig}).
 */
public final class TcpTransportFactory implements TransportFactory {
    public static final String NAME = "tcp";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<ConfigKey<?>> configKeys() {
        return TcpConfig.KEYS;
    }

    @Override
    public Transport create(TransportContext context) {
        return new TcpTransport(context, TcpConfig.from(context.settings()));
    }

    @Override
    public Optional<TransportServer> serve(
            TransportContext context, InetSocketAddress listen, NodeRequestHandler handler) {
        return Optional.of(TcpServer.start(context, listen, handler, TcpConfig.from(context.settings())));
    }
}
