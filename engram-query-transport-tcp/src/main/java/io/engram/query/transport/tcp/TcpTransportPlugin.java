package io.engram.query.transport.tcp;

import io.engram.query.spi.QueryPlugin;
import io.engram.query.spi.TransportFactory;
import java.util.List;

/** Brings the tcp transport ({@code transport.type = "tcp"}), found by ServiceLoader on the node's class path. */
public final class TcpTransportPlugin implements QueryPlugin {
    @Override
    public List<TransportFactory> transportFactories() {
        return List.of(new TcpTransportFactory());
    }
}
