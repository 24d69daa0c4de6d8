package io.engram.query.spi;

import io.engram.query.api.NodeId;
import io.engram.query.spi.config.ConfigKey;
import io.engram.query.spi.config.ConfigValues;
import java.net.URI;
import java.util.Optional;

/** What a {@link TransportFactory} gets from the host to create a transport. */
public interface TransportContext {
    NodeId localNode();

    /** Where a node listens, when the cluster configuration says. */
    Optional<URI> addressOf(NodeId node);

    /**
     * The transport settings the host read and validated ({@code transport.tcp.*}, for example), typed: a transport
     * reads them with {@link ConfigValues#get(ConfigKey)} and parses nothing again. A key the host did not read reads
     * as its default.
     */
    ConfigValues settings();

    /** The shared secret nodes present to each other; never log it. */
    Optional<String> clusterToken();

    /**
     * Where {@code node}'s own transport listens, for a transport with a port of its own ({@code tcp}): the address
     * the configuration gives ({@code transport_url}), or the one the node announced. Empty while it is not known,
     * which may change: ask again for each call. The default knows none.
     */
    default Optional<URI> transportAddressOf(NodeId node) {
        return Optional.empty();
    }

    /**
     * TLS for a transport with a port of its own, when the node has a {@code [tls]} section: its listener then speaks
     * only TLS, and its client verifies a peer's certificate and its host name. Empty: plain TCP (loopback, or
     * {@code tls.allow_insecure}).
     */
    default Optional<TransportTls> tls() {
        return Optional.empty();
    }
}
