package io.engram.query.transport.http.client;

import io.engram.query.spi.Transport;
import io.engram.query.spi.TransportContext;
import io.engram.query.spi.TransportFactory;
import io.engram.query.transport.http.tls.TlsConfig;

/**
 * Creates the {@link HttpTransport}, selected by {@code transport.type = "http"}. Reads node addresses, the cluster
 * token, the {@code transport.http.*} settings (see {@link HttpTransportConfig}) and the {@code tls.*} ones (see {@link
 * TlsConfig}) from the context.
 */
public final class HttpTransportFactory implements TransportFactory {
    public static final String NAME = "http";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Transport create(TransportContext context) {
        return open(context);
    }

    /** The HTTP transport itself, for the node runtime, which also reads peers' health through it. */
    public static HttpTransport open(TransportContext context) {
        return new HttpTransport(
                context, HttpTransportConfig.fromSettings(context::setting), TlsConfig.fromSettings(context::setting));
    }
}
