package io.engram.query.transport.http.server;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How the HTTP server listens and what it accepts.
 *
 * @param host the address to bind ({@code 0.0.0.0} for all, {@code 127.0.0.1} for loopback only)
 * @param port the port, in [0, 65535]; 0 picks a free one (see {@link EngramHttpServer#port()})
 * @param maxBodyBytes the largest request body accepted; larger ones get 413
 * @param clusterToken the secret nodes present on {@code /internal/v1/partition-query}; when empty that endpoint is
 *     unauthenticated (a single node or a trusted network only)
 * @param apiToken when present, {@code /v1/query} requires it as a bearer token
 * @param dimensions when present, embeddings in queries must have exactly this many dimensions
 * @param stopTimeout how long {@link EngramHttpServer#stop()} lets in-flight requests finish
 * @param maxConcurrentQueries client queries ({@code POST /v1/query}) served at once; one more is answered at once with
 *     429 and {@code Retry-After}
 */
public record HttpServerConfig(
        String host,
        int port,
        int maxBodyBytes,
        Optional<String> clusterToken,
        Optional<String> apiToken,
        Optional<Integer> dimensions,
        Duration stopTimeout,
        int maxConcurrentQueries) {
    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_CONCURRENT_QUERIES = 256;

    public HttpServerConfig {
        requireNonNull(host, "host is null");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("max body bytes must be >= 1, got " + maxBodyBytes);
        }
        requireNonNull(clusterToken, "cluster token is null");
        requireNonNull(apiToken, "api token is null");
        clusterToken.ifPresent(t -> checkToken("cluster token", t));
        apiToken.ifPresent(t -> checkToken("api token", t));
        requireNonNull(dimensions, "dimensions is null");
        dimensions.ifPresent(d -> {
            if (d < 1) {
                throw new IllegalArgumentException("dimensions must be >= 1, got " + d);
            }
        });
        requireNonNull(stopTimeout, "stop timeout is null");
        if (stopTimeout.isNegative()) {
            throw new IllegalArgumentException("stop timeout must not be negative, got " + stopTimeout);
        }
        if (maxConcurrentQueries < 1) {
            throw new IllegalArgumentException("max concurrent queries must be >= 1, got " + maxConcurrentQueries);
        }
    }

    /** Loopback on {@code port}, default limits, no tokens, no dimension check. */
    public static HttpServerConfig loopback(int port) {
        return new HttpServerConfig(
                "127.0.0.1",
                port,
                DEFAULT_MAX_BODY_BYTES,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                DEFAULT_STOP_TIMEOUT,
                DEFAULT_MAX_CONCURRENT_QUERIES);
    }

    public HttpServerConfig withClusterToken(String token) {
        return new HttpServerConfig(
                host, port, maxBodyBytes, Optional.of(token), apiToken, dimensions, stopTimeout, maxConcurrentQueries);
    }

    public HttpServerConfig withApiToken(String token) {
        return new HttpServerConfig(
                host,
                port,
                maxBodyBytes,
                clusterToken,
                Optional.of(token),
                dimensions,
                stopTimeout,
                maxConcurrentQueries);
    }

    public HttpServerConfig withMaxBodyBytes(int bytes) {
        return new HttpServerConfig(
                host, port, bytes, clusterToken, apiToken, dimensions, stopTimeout, maxConcurrentQueries);
    }

    public HttpServerConfig withDimensions(int expected) {
        return new HttpServerConfig(
                host,
                port,
                maxBodyBytes,
                clusterToken,
                apiToken,
                Optional.of(expected),
                stopTimeout,
                maxConcurrentQueries);
    }

    public HttpServerConfig withMaxConcurrentQueries(int queries) {
        return new HttpServerConfig(host, port, maxBodyBytes, clusterToken, apiToken, dimensions, stopTimeout, queries);
    }

    private static void checkToken(String field, String token) {
        if (token.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException(field + " must be printable ASCII without spaces");
        }
    }

    /** Never prints the tokens. */
    @Override
    public String toString() {
        return "HttpServerConfig[host=" + host + ", port=" + port + ", maxBodyBytes=" + maxBodyBytes
                + ", clusterToken=" + clusterToken.map(t -> "***").orElse("none")
                + ", apiToken=" + apiToken.map(t -> "***").orElse("none")
                + ", dimensions=" + dimensions.map(String::valueOf).orElse("any")
                + ", stopTimeout=" + stopTimeout + "]";
    }
}
