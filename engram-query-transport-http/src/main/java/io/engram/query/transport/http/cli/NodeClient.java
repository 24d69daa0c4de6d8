package io.engram.query.transport.http.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/** The CLI's small HTTP client for a node's public endpoints. */
final class NodeClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Optional<String> apiToken;
    private final HttpClient client;

    NodeClient(String url, Optional<String> apiToken) {
        this(url, apiToken, Optional.empty());
    }

    /** {@code ssl} verifies an {@code https://} node (the JDK's default context when empty). */
    NodeClient(String url, Optional<String> apiToken, Optional<SSLContext> ssl) {
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--node must be a URL like http://127.0.0.1:7401, got '" + url + "'");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new UsageException("--node must be a URL like http://127.0.0.1:7401, got '" + url + "'");
        }
        this.base = uri;
        this.apiToken = apiToken;
        HttpClient.Builder builder =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5));
        ssl.ifPresent(builder::sslContext);
        this.client = builder.build();
    }

    record Response(int status, JsonNode body) {}

    Response postQuery(byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/v1/query"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        apiToken.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return send(request.build());
    }

    Response health() {
        return send(HttpRequest.newBuilder(base.resolve("/cluster/health"))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build());
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body;
            try {
                body = JSON.readTree(response.body());
            } catch (IOException e) {
                throw new IllegalStateException(
                        base + " answered " + response.statusCode() + " with a body that is not JSON");
            }
            return new Response(response.statusCode(), body);
        } catch (ConnectException e) {
            throw new IllegalStateException("can not connect to " + base + " (is the node running?)");
        } catch (SSLHandshakeException e) {
            throw new IllegalStateException("TLS handshake with " + base + " failed: " + EngramQueryCli.oneLine(e)
                    + " (--ca-file names the CA that signed the node's certificate; a node with tls.client_auth ="
                    + " \"require\" also needs --cert-file and --key-file)");
        } catch (IOException e) {
            throw new IllegalStateException("request to " + base + " failed: " + EngramQueryCli.oneLine(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    static String pretty(JsonNode node) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (IOException e) {
            return node.toString();
        }
    }

    /** A mistake in how the command was called. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
