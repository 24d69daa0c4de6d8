package io.engram.query.spi;

import javax.net.ssl.SSLContext;

/**
 * TLS for a transport with a port of its own ({@link TransportContext#tls}): the node's certificate and key, and the
 * CA its peers' certificates must chain to, as its {@code [tls]} section names them.
 */
public interface TransportTls {
    /**
     * A context with this node's certificate (presented as server, and as client when a peer asks for one) and the
     * peers' CA. Asked for each new connection: certificate files renewed on disk are used by new connections, open
     * ones keep theirs.
     */
    SSLContext context();

    /** Whether a connecting peer must present a certificate signed by the CA (mutual TLS). */
    boolean requiresPeerCertificate();
}
