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
}
