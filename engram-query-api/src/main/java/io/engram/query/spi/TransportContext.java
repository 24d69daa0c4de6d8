package io.engram.query.spi;

import io.engram.query.api.NodeId;
import java.net.URI;
import java.util.Optional;

/** What a {@link TransportFactory} gets from the host to create a transport. */
public interface TransportContext {
    NodeId localNode();

    /** Where a node listens, when the cluster configuration says. */
    Optional<URI> addressOf(NodeId node);

    /** A transport setting, by key ({@code transport.http.h2c}, for example). */
    Optional<String> setting(String key);

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
}
