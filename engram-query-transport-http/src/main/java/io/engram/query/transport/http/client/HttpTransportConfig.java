package io.engram.query.transport.http.client;

import static java.util.Objects.requireNonNull;

import io.engram.query.spi.config.ConfigKey;
import io.engram.query.spi.config.ConfigValues;
import io.engram.query.spi.config.ValueType;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the HTTP client transport, read from the {@code transport.http.*} keys.
 *
 * @param h2c {@code transport.http.h2c}: HTTP/2 over cleartext (one multiplexed connection per node) instead of
 *     pooled keep-alive HTTP/1.1 connections; default false
 * @param smile {@code transport.http.format} = {@code smile} (the default): send and receive partition messages in Smile, binary
 *     JSON, instead of {@code json}
 * @param maxResponseBytes {@code transport.http.max_response_bytes}: a larger answer fails the call; default 16 MiB
 * @param connectTimeout {@code transport.http.connect_timeout_ms}: default 1000 ms (the deadline still applies)
 * @param maxConnectionsPerNode {@code transport.http.max_connections_per_node}: HTTP/1.1 pool size; default 64
 */
public record HttpTransportConfig(
        boolean h2c, boolean smile, int maxResponseBytes, Duration connectTimeout, int maxConnectionsPerNode) {
    public static final ConfigKey<Boolean> H2C = ConfigKey.of(
            "transport.http.h2c",
            ValueType.bool(),
            false,
            "Node-to-node calls over h2c (HTTP/2 without TLS) instead of HTTP/1.1 keep-alive.");
    public static final ConfigKey<String> FORMAT = ConfigKey.of(
            "transport.http.format",
            ValueType.choice(List.of("smile", "json")),
            "smile",
            "Body format node to node: smile (binary JSON: embeddings as binary floats, cheaper to write and parse)"
                    + " or json.");
    public static final ConfigKey<Integer> MAX_RESPONSE_BYTES = ConfigKey.of(
            "transport.http.max_response_bytes",
            ValueType.integer(1024, 1 << 30),
            16 << 20,
            "Largest partition answer accepted from a peer, in bytes; larger ones count as a failed partition.");
    public static final ConfigKey<Duration> CONNECT_TIMEOUT_MS = ConfigKey.of(
            "transport.http.connect_timeout_ms",
            ValueType.millis(1, 60_000),
            Duration.ofSeconds(1),
            "Connecting to a peer, in milliseconds (the query's deadline still applies).");
    public static final ConfigKey<Integer> MAX_CONNECTIONS_PER_NODE = ConfigKey.of(
            "transport.http.max_connections_per_node",
            ValueType.integer(1, 10_000),
            64,
            "HTTP/1.1 connections kept per peer.");

    /** The {@code [transport.http]} keys, in the order they are documented. */
    public static final List<ConfigKey<?>> KEYS =
            List.of(H2C, FORMAT, MAX_RESPONSE_BYTES, CONNECT_TIMEOUT_MS, MAX_CONNECTIONS_PER_NODE);

    public static final int DEFAULT_MAX_RESPONSE_BYTES = 16 << 20;

    public HttpTransportConfig {
        MAX_RESPONSE_BYTES.check(maxResponseBytes);
        CONNECT_TIMEOUT_MS.check(requireNonNull(connectTimeout, "connect timeout is null"));
        MAX_CONNECTIONS_PER_NODE.check(maxConnectionsPerNode);
    }

    /**
     * HTTP/1.1 keep-alive, Smile bodies (measured: a 768-float embedding as JSON text costs ~0.7 ms more per
     * distributed query on 2 cores, see docs/BENCHMARKS.md), 16 MiB answers, 1 s connect timeout, 64 connections.
     */
    public static HttpTransportConfig defaults() {
        return from(ConfigValues.empty());
    }

    /** The settings as the host read them; a key it did not read has its default. */
    public static HttpTransportConfig from(ConfigValues settings) {
        return new HttpTransportConfig(
                settings.get(H2C),
                settings.get(FORMAT).equals("smile"),
                settings.get(MAX_RESPONSE_BYTES),
                settings.get(CONNECT_TIMEOUT_MS),
                settings.get(MAX_CONNECTIONS_PER_NODE));
    }
}
