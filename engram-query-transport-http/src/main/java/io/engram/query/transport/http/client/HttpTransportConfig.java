package io.engram.query.transport.http.client;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Settings of the HTTP client transport, read from the {@code transport.http.*} keys.
 *
 * @param h2c {@code transport.http.h2c}: HTTP/2 over cleartext (one multiplexed connection per node) instead of
 *     pooled keep-alive HTTP/1.1 connections; default false
 * @param smile {@code transport.http.format} = {@code smile} (the default): send and receive partition messages in Smile, binary
 *     JSON, instead of {@code json} (the default)
 * @param maxResponseBytes {@code transport.http.max_response_bytes}: a larger answer fails the call; default 16 MiB
 * @param connectTimeout {@code transport.http.connect_timeout_ms}: default 1000 ms (the deadline still applies)
 * @param maxConnectionsPerNode {@code transport.http.max_connections_per_node}: HTTP/1.1 pool size; default 64
 */
public record HttpTransportConfig(
        boolean h2c, boolean smile, int maxResponseBytes, Duration connectTimeout, int maxConnectionsPerNode) {
    public static final String H2C = "transport.http.h2c";
    public static final String FORMAT = "transport.http.format";
    public static final String MAX_RESPONSE_BYTES = "transport.http.max_response_bytes";
    public static final String CONNECT_TIMEOUT_MS = "transport.http.connect_timeout_ms";
    public static final String MAX_CONNECTIONS_PER_NODE = "transport.http.max_connections_per_node";

    public static final int DEFAULT_MAX_RESPONSE_BYTES = 16 << 20;

    public HttpTransportConfig {
        if (maxResponseBytes < 1) {
            throw new IllegalArgumentException(MAX_RESPONSE_BYTES + " must be >= 1, got " + maxResponseBytes);
        }
        requireNonNull(connectTimeout, "connect timeout is null");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException(CONNECT_TIMEOUT_MS + " must be >= 1, got " + connectTimeout.toMillis());
        }
        if (maxConnectionsPerNode < 1) {
            throw new IllegalArgumentException(
                    MAX_CONNECTIONS_PER_NODE + " must be >= 1, got " + maxConnectionsPerNode);
        }
    }

    /**
     * HTTP/1.1 keep-alive, Smile bodies (measured: a 768-float embedding as JSON text costs ~0.7 ms more per
     * distributed query on 2 cores, see docs/BENCHMARKS.md), 16 MiB answers, 1 s connect timeout, 64 connections.
     */
    public static HttpTransportConfig defaults() {
        return new HttpTransportConfig(false, true, DEFAULT_MAX_RESPONSE_BYTES, Duration.ofSeconds(1), 64);
    }

    /** Reads the settings, each defaulted when absent; an invalid value fails naming its key. */
    public static HttpTransportConfig fromSettings(Function<String, Optional<String>> settings) {
        HttpTransportConfig d = defaults();
        boolean h2c = settings.apply(H2C).map(v -> bool(H2C, v)).orElse(d.h2c());
        boolean smile = settings.apply(FORMAT)
                .map(v -> switch (v.trim().toLowerCase(Locale.ROOT)) {
                    case "json" -> false;
                    case "smile" -> true;
                    default -> throw new IllegalArgumentException(FORMAT + " must be json or smile, got '" + v + "'");
                })
                .orElse(d.smile());
        int maxResponse = settings.apply(MAX_RESPONSE_BYTES)
                .map(v -> integer(MAX_RESPONSE_BYTES, v))
                .orElse(d.maxResponseBytes());
        Duration connect = settings.apply(CONNECT_TIMEOUT_MS)
                .map(v -> Duration.ofMillis(integer(CONNECT_TIMEOUT_MS, v)))
                .orElse(d.connectTimeout());
        int connections = settings.apply(MAX_CONNECTIONS_PER_NODE)
                .map(v -> integer(MAX_CONNECTIONS_PER_NODE, v))
                .orElse(d.maxConnectionsPerNode());
        return new HttpTransportConfig(h2c, smile, maxResponse, connect, connections);
    }

    private static boolean bool(String key, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, got '" + value + "'");
        };
    }

    private static int integer(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, got '" + value + "'");
        }
    }
}
