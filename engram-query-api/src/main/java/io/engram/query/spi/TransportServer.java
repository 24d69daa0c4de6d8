package io.engram.query.spi;

import java.net.URI;

/** A transport's own listener serving peers' node requests ({@link TransportFactory#serve}); closing stops it. */
public interface TransportServer extends AutoCloseable {
    /** Where it listens, as peers reach it: {@code tcp://127.0.0.1:7411}. */
    URI address();

    /** Stops accepting, closes every connection and cancels the requests still running. */
    @Override
    void close();
}
