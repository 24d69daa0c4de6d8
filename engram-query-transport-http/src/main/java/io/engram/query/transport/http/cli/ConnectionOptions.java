package io.engram.query.transport.http.cli;

import io.engram.query.transport.http.node.NodeConfig;
import io.engram.query.transport.http.tls.PemKeyStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Option;

/**
 * How the CLI reaches a node: the CA that signed an {@code https://} node's certificate, a client certificate for a
 * node that requires one (mutual TLS), and the API token. The token is read from a file or {@code ENGRAM_API_TOKEN},
 * never from the command line, where other users see it in the process list and it lands in the shell's history.
 */
final class ConnectionOptions {
    @Option(
            names = "--ca-file",
            paramLabel = "FILE",
            description = "PEM CA certificate that signed the node's certificate (https); default: the JDK's CAs")
    Path caFile;

    @Option(
            names = "--cert-file",
            paramLabel = "FILE",
            description = "PEM client certificate, for a node with tls.client_auth = \"require\"")
    Path certFile;

    @Option(names = "--key-file", paramLabel = "FILE", description = "PKCS#8 PEM key of --cert-file")
    Path keyFile;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "file holding the API token (default: the environment variable "
                    + NodeConfig.API_TOKEN_VARIABLE + ")")
    Path tokenFile;

    /** The API token: from {@code --token-file}, else {@code ENGRAM_API_TOKEN}; empty when neither is set. */
    Optional<String> apiToken() {
        if (tokenFile != null) {
            try {
                String token = Files.readString(tokenFile).strip();
                if (token.isEmpty()) {
                    throw new NodeClient.UsageException("--token-file " + tokenFile + " is empty");
                }
                return Optional.of(token);
            } catch (IOException e) {
                throw new NodeClient.UsageException("--token-file " + tokenFile + " can not be read: "
                        + e.getClass().getSimpleName());
            }
        }
        return Optional.ofNullable(System.getenv(NodeConfig.API_TOKEN_VARIABLE)).filter(t -> !t.isBlank());
    }

    /** The TLS context for https nodes; empty when no TLS option is given (the JDK's defaults apply). */
    Optional<SSLContext> sslContext() {
        if (caFile == null && certFile == null && keyFile == null) {
            return Optional.empty();
        }
        if ((certFile == null) != (keyFile == null)) {
            throw new NodeClient.UsageException("--cert-file and --key-file go together");
        }
        try {
            return Optional.of(PemKeyStores.clientContext(
                    Optional.ofNullable(caFile), Optional.ofNullable(certFile), Optional.ofNullable(keyFile)));
        } catch (IllegalArgumentException e) {
            throw new NodeClient.UsageException(e.getMessage());
        }
    }

    NodeClient client(String url) {
        return new NodeClient(url, apiToken(), sslContext());
    }
}
