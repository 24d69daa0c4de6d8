package io.engram.query.transport.tcp;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The settings of the tcp transport, {@code transport.tcp.*}, as both its client and its listener use them.
 *
 * @param maxFrameBytes the largest frame either side accepts; a bigger one is refused before it is buffered
 * @param maxInFlight the requests one connection may have running on the serving node at once; one more is answered
 *     as overloaded, so the coordinator fails over
 * @param connectTimeout how long connecting to a peer and its handshake may take (less when the call's deadline is
 *     nearer)
 * @param handshakeTimeout how long the listener waits for a new connection's handshake before closing it
 * @param writeBufferBytes the bytes a connection may hold unsent: a client refuses new calls on a connection past it
 *     (the peer does not read), a listener stops reading requests until its answers drain
 * @param ioThreads event-loop threads of the client, and of the listener
 */
public record TcpConfig(
        int maxFrameBytes,
        int maxInFlight,
        Duration connectTimeout,
        Duration handshakeTimeout,
        int writeBufferBytes,
        int ioThreads) {
    public static final String MAX_FRAME_BYTES = "transport.tcp.max_frame_bytes";
    public static final String MAX_IN_FLIGHT = "transport.tcp.max_in_flight";
    public static final String CONNECT_TIMEOUT_MS = "transport.tcp.connect_timeout_ms";
    public static final String HANDSHAKE_TIMEOUT_MS = "transport.tcp.handshake_timeout_ms";
    public static final String WRITE_BUFFER_BYTES = "transport.tcp.write_buffer_bytes";
    public static final String IO_THREADS = "transport.tcp.io_threads";

    public TcpConfig {
        within(MAX_FRAME_BYTES, maxFrameBytes, 1024, 1 << 30);
        within(MAX_IN_FLIGHT, maxInFlight, 1, 1 << 20);
        within(
                CONNECT_TIMEOUT_MS,
                requireNonNull(connectTimeout, "connect timeout is null").toMillis(),
                1,
                60_000);
        within(
                HANDSHAKE_TIMEOUT_MS,
                requireNonNull(handshakeTimeout, "handshake timeout is null").toMillis(),
                1,
                60_000);
        within(WRITE_BUFFER_BYTES, writeBufferBytes, 64 << 10, 1 << 30);
        within(IO_THREADS, ioThreads, 1, 64);
    }

    /**
     * 16 MiB frames (as the HTTP transport's answers), 1,024 requests in flight per connection, 1 s to connect, 5 s
     * for a handshake, 4 MiB unsent per connection, one event-loop thread each for the client and the listener (the
     * engine's compute threads do the work; measured on 2 cores, see docs/BENCHMARKS.md).
     */
    public static TcpConfig defaults() {
        return new TcpConfig(16 << 20, 1024, Duration.ofSeconds(1), Duration.ofSeconds(5), 4 << 20, 1);
    }

    /** Reads the settings, each defaulted when absent; an invalid value fails naming its key and its range. */
    public static TcpConfig fromSettings(Function<String, Optional<String>> settings) {
        TcpConfig d = defaults();
        return new TcpConfig(
                integer(settings, MAX_FRAME_BYTES, d.maxFrameBytes()),
                integer(settings, MAX_IN_FLIGHT, d.maxInFlight()),
                Duration.ofMillis(integer(
                        settings, CONNECT_TIMEOUT_MS, (int) d.connectTimeout().toMillis())),
                Duration.ofMillis(integer(settings, HANDSHAKE_TIMEOUT_MS, (int)
                        d.handshakeTimeout().toMillis())),
                integer(settings, WRITE_BUFFER_BYTES, d.writeBufferBytes()),
                integer(settings, IO_THREADS, d.ioThreads()));
    }

    private static int integer(Function<String, Optional<String>> settings, String key, int fallback) {
        Optional<String> value = settings.apply(key);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.get().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + value.get() + "'");
        }
    }

    private static void within(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], got " + value);
        }
    }
}
