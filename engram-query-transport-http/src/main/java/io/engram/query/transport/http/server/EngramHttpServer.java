package io.engram.query.transport.http.server;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.MetricRegistry;
import io.engram.query.api.QueryService;
import io.engram.query.transport.http.tls.CertificateReloader;
import io.engram.query.transport.http.tls.TlsConfig;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP endpoint, on Jetty 12 core handlers: {@code POST /v1/query} (this node coordinates a client's
 * query), {@code POST /internal/v1/partition-query} (another node asks for one partition), {@code GET
 * /cluster/health} and {@code GET /metrics}. Speaks HTTP/1.1 and h2c (HTTP/2 over cleartext, prior knowledge) on the
 * same port, or HTTP/1.1 over TLS only when given a {@link TlsConfig}. Errors are {@code application/problem+json}.
 * {@link #stop()} is graceful: new requests get 503, in-flight ones may finish within {@link
 * HttpServerConfig#stopTimeout()}.
 */
public final class EngramHttpServer {
    private static final Logger LOG = LoggerFactory.getLogger(EngramHttpServer.class);

    private final HttpServerConfig config;
    private final Server server;
    private final ServerConnector connector;
    private final String scheme;

    public EngramHttpServer(
            HttpServerConfig config,
            QueryService queryService,
            PartitionQueryHandler partitionHandler,
            HealthReporter health,
            MetricRegistry registry) {
        this(config, Optional.empty(), queryService, partitionHandler, health, registry);
    }

    /**
     * With {@code tls}, the port speaks HTTP/1.1 over TLS only (no h2c, no plain HTTP), and renewed certificates are
     * reloaded every {@link TlsConfig#reloadInterval()}.
     */
    public EngramHttpServer(
            HttpServerConfig config,
            Optional<TlsConfig> tls,
            QueryService queryService,
            PartitionQueryHandler partitionHandler,
            HealthReporter health,
            MetricRegistry registry) {
        this(config, tls, queryService, partitionHandler, health, MembershipEndpoint.NONE, registry);
    }

    /** As above, answering the peer-health protocol's messages with {@code membership}. */
    public EngramHttpServer(
            HttpServerConfig config,
            Optional<TlsConfig> tls,
            QueryService queryService,
            PartitionQueryHandler partitionHandler,
            HealthReporter health,
            MembershipEndpoint membership,
            MetricRegistry registry) {
        this.config = requireNonNull(config, "config is null");
        this.scheme = tls.isPresent() ? "https" : "http";
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("engram-http");
        this.server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        if (tls.isPresent()) {
            SslContextFactory.Server ssl = tls.get().newServerFactory();
            http.addCustomizer(new SecureRequestCustomizer());
            this.connector = new ServerConnector(
                    server,
                    new SslConnectionFactory(ssl, HttpVersion.HTTP_1_1.asString()),
                    new HttpConnectionFactory(http));
            CertificateReloader.of(tls.get(), ssl).ifPresent(server::addBean);
        } else {
            this.connector = new ServerConnector(
                    server, new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
        }
        connector.setHost(config.host());
        connector.setPort(config.port());
        server.addConnector(connector);
        server.setHandler(new GracefulHandler(
                new EngramRequestHandler(config, queryService, partitionHandler, health, membership, registry)));
        server.setStopTimeout(config.stopTimeout().toMillis());
        server.setStopAtShutdown(false);
    }

    /** Binds and starts serving; throws {@link IllegalStateException} when the port can not be bound. */
    public synchronized void start() {
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException(
                    "could not start the HTTP server on " + config.host() + ":" + config.port() + ": " + e.getMessage(),
                    e);
        }
        if (config.clusterToken().isEmpty()) {
            LOG.warn(
                    "no cluster token configured: {} accepts unauthenticated requests",
                    EngramRequestHandler.PARTITION_PATH);
        }
        LOG.info("HTTP server listening on {}://{}:{}", scheme, config.host(), port());
    }

    /** Stops accepting requests and waits up to the stop timeout for in-flight ones. */
    public synchronized void stop() {
        int port = port();
        try {
            server.stop();
        } catch (TimeoutException e) {
            // Jetty stops everything after the graceful wait anyway; what outlived it (a slow request, or a client's
            // idle keep-alive connection, closed only after the connector's shutdown idle timeout) is cut off.
            LOG.warn(
                    "HTTP server on port {} stopped after its stop timeout of {} ms; open requests or connections were"
                            + " closed",
                    port,
                    config.stopTimeout().toMillis());
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the HTTP server: " + e.getMessage(), e);
        }
    }

    /** The bound port (the chosen one when configured with port 0); -1 before start. */
    public int port() {
        return connector.getLocalPort();
    }

    public boolean isRunning() {
        return server.isRunning();
    }
}
