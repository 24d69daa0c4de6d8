package io.engram.query.benchmarks.scatter;

/**
 * The exchanges of a spread's rounds over one kind of wire on loopback, servers and client in this JVM, with nothing
 * else: {@link LoopbackExchanges} (Jetty HTTP/1.1), {@link LoopbackSockets} (plain blocking sockets, the floor),
 * {@link LoopbackNetty} and {@link LoopbackGrpc}. {@link WireLibraryComparison} takes turns between them.
 */
interface LoopbackRounds extends AutoCloseable {
    /** Runs the rounds one after another; returns the answer bytes received (so the work can not be dropped). */
    long runRounds();

    /** Stops the servers and the client; never throws. */
    @Override
    void close();
}
