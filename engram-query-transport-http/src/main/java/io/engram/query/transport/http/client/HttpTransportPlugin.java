package io.engram.query.transport.http.client;

import io.engram.query.spi.QueryPlugin;
import io.engram.query.spi.TransportFactory;
import java.util.List;

/** Registers the {@code http} transport through {@code META-INF/services/io.engram.query.spi.QueryPlugin}. */
public final class HttpTransportPlugin implements QueryPlugin {
    @Override
    public List<TransportFactory> transportFactories() {
        return List.of(new HttpTransportFactory());
    }
}
