package io.engram.query.transport.tcp;

import static java.util.Objects.requireNonNull;

import io.engram.query.spi.config.ConfigKey;
import io.engram.query.spi.config.ConfigValues;
import io.engram.query.spi.config.ValueType;
import java.time.Duration;
import java.util.List;

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
    public static final ConfigKey<Integer> MAX_FRAME_BYTES = ConfigKey.of(
            "transport.tcp.max_frame_bytes",
            ValueType.integer(1024, 1 << 30),
            16 << 20,
            "Largest frame either side accepts, in bytes; a larger one is refused before it is buffered.");
    public static final ConfigKey<Integer> MAX_IN_FLIGHT = ConfigKey.of(
            "transport.tcp.max_in_flight",
            ValueType.integer(1, 1 << 20),
            1024,
            "Requests of one connection a node runs at once; one more is answered as overloaded (fail over).");
    public static final ConfigKey<Duration> CONNECT_TIMEOUT_MS = ConfigKey.of(
            "transport.tcp.connect_timeout_ms",
            ValueType.millis(1, 60_000),
            Duration.ofSeconds(1),
            "Connecting to a peer and its handshake, in milliseconds.");
    public static final ConfigKey<Duration> HANDSHAKE_TIMEOUT_MS = ConfigKey.of(
            "transport.tcp.handshake_timeout_ms",
            ValueType.millis(1, 60_000),
            Duration.ofSeconds(5),
            "How long a node waits for a new connection's handshake before closing it, in milliseconds.");
    public static final ConfigKey<Integer> WRITE_BUFFER_BYTES = ConfigKey.of(
            "transport.tcp.write_buffer_bytes",
            ValueType.integer(64 << 10, 1 << 30),
            4 << 20,
            "Bytes a connection may hold unsent: a caller then refuses new calls on it (the peer does not read; the"
                    + " coordinator fails over), a serving node stops reading requests until its answers drain.");
    public static final ConfigKey<Integer> IO_THREADS = ConfigKey.of(
            "transport.tcp.io_threads",
            ValueType.integer(1, 64),
            1,
            "Event-loop threads of the client and of the listener; the work runs on the engine's compute threads.");

    /** The {@code [transport.tcp]} keys, in the order they are documented. */
    public static final List<ConfigKey<?>> KEYS = List.of(
            MAX_FRAME_BYTES, MAX_IN_FLIGHT, CONNECT_TIMEOUT_MS, HANDSHAKE_TIMEOUT_MS, WRITE_BUFFER_BYTES, IO_THREADS);

    public TcpConfig {
        MAX_FRAME_BYTES.check(maxFrameBytes);
        MAX_IN_FLIGHT.check(maxInFlight);
        CONNECT_TIMEOUT_MS.check(requireNonNull(connectTimeout, "connect timeout is null"));
        HANDSHAKE_TIMEOUT_MS.check(requireNonNull(handshakeTimeout, "handshake timeout is null"));
        WRITE_BUFFER_BYTES.check(writeBufferBytes);
        IO_THREADS.check(ioThreads);
    }

    /**
     * 16 MiB frames (as the HTTP transport's answers), 1,024 requests in flight per connection, 1 s to connect, 5 s
     * for a handshake, 4 MiB unsent per connection, one event-loop thread each for the client and the listener (the
     * engine's compute threads do the work; measured on 2 cores, see docs/BENCHMARKS.md).
     */
    public static TcpConfig defaults() {
        return from(ConfigValues.empty());
    }

    /** The settings as the host read them; a key it did not read has its default. */
    public static TcpConfig from(ConfigValues settings) {
        return new TcpConfig(
                settings.get(MAX_FRAME_BYTES),
                settings.get(MAX_IN_FLIGHT),
                settings.get(CONNECT_TIMEOUT_MS),
                settings.get(HANDSHAKE_TIMEOUT_MS),
                settings.get(WRITE_BUFFER_BYTES),
                settings.get(IO_THREADS));
    }
}
