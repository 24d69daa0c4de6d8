package io.engram.query.transport.http.client;

import io.engram.query.spi.Transport;
import io.engram.query.spi.TransportContext;
import io.engram.query.spi.TransportFactory;
import io.engram.query.spi.config.ConfigKey;
import io.engram.query.transport.http.tls.NodeTransportTls;
import io.engram.query.transport.http.tls.TlsConfig;
import java.util.List;
import java.util.Optional;

/**
 * Creates the {@link HttpTransport}, selected by {@code transport.type = "http"}. Reads node addresses, the cluster
 * token, the {@code transport.http.*} settings (see {@link HttpTransportConfig}); with the node's {@code [tls]} ({@link
 * NodeTransportTls}) it speaks HTTPS.
 */
public final class HttpTransportFactory implements TransportFactory {
    public static final String NAME = "http";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<ConfigKey<?>> configKeys() {
        return HttpTransportConfig.KEYS;
    }

    @Override
    public Transport create(TransportContext context) {
        return open(context);
    }

    /** The HTTP transport itself, for the node runtime, which also reads peers' health through it. */
    public static HttpTransport open(TransportContext context) {
        Optional<TlsConfig> tls =
                context.tls().filter(NodeTransportTls.class::isInstance).map(t -> ((NodeTransportTls) t).config());
        return new HttpTransport(context, HttpTransportConfig.from(context.settings()), tls);
    }
}
