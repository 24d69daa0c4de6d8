package io.engram.query.transport.tcp;

import io.engram.query.spi.TransportTls;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS on a tcp connection, from the node's {@code [tls]} ({@link TransportTls}): TLS 1.3 or 1.2; the listener asks
 * for a peer certificate under mutual TLS; the caller checks that the peer's certificate names the host (or IP
 * address) it dialled, as the HTTP transport does.
 */
final class TlsHandlers {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private TlsHandlers() {}

    static SslHandler server(TransportTls tls, TcpConfig config) {
        SSLEngine engine = tls.context().createSSLEngine();
        engine.setUseClientMode(false);
        engine.setEnabledProtocols(PROTOCOLS);
        engine.setNeedClientAuth(tls.requiresPeerCertificate());
        return handler(engine, config);
    }

    static SslHandler client(TransportTls tls, String host, int port, TcpConfig config) {
        SSLEngine engine = tls.context().createSSLEngine(host, port);
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(PROTOCOLS);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return handler(engine, config);
    }

    private static SslHandler handler(SSLEngine engine, TcpConfig config) {
        SslHandler handler = new SslHandler(engine);
        handler.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
        return handler;
    }

    /** The TLS failure behind {@code cause}, when there is one. */
    static SSLException tlsFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException e) {
                return e;
            }
        }
        return null;
    }
}
