package io.engram.query.transport.http.tls;

import static java.util.Objects.requireNonNull;

import io.engram.query.executor.config.ConfigReader;
import io.engram.query.executor.config.ConfigSection;
import io.engram.query.spi.config.ConfigKey;
import io.engram.query.spi.config.ValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The {@code [tls]} section: the node's certificate and key (PEM), the CA that signs its peers, and whether peers must
 * present a certificate of their own. One node serves TLS on its HTTP port and speaks TLS to its peers with the same
 * certificate, verifying theirs against {@link #caFile()} and their host name (or IP address) against the
 * certificate's subject alternative names.
 *
 * @param certFile {@code tls.cert_file}: this node's certificate chain, leaf first (PEM)
 * @param keyFile {@code tls.key_file}: its private key, unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY})
 * @param caFile {@code tls.ca_file}: the CA certificates peers' certificates must chain to; empty trusts the JDK's
 *     public CAs
 * @param clientAuth {@code tls.client_auth}: {@code require} refuses a connection that presents no certificate signed
 *     by {@link #caFile()} (mutual TLS; clients of {@code /v1/query} then need one too)
 * @param reloadInterval {@code tls.reload_interval_ms}: how often the files are checked for renewed certificates
 *     (zero: never; new connections use renewed ones, open ones keep theirs)
 */
public record TlsConfig(
        Path certFile, Path keyFile, Optional<Path> caFile, ClientAuth clientAuth, Duration reloadInterval) {
    public static final ConfigKey<String> CERT_FILE = ConfigKey.of(
            "tls.cert_file",
            ValueType.string(),
            "",
            "This node's certificate chain, leaf first (PEM, relative to this file). Its subject alternative names"
                    + " must name the host or IP address of this node's cluster.nodes url: peers check it.");
    public static final ConfigKey<String> KEY_FILE = ConfigKey.of(
            "tls.key_file",
            ValueType.string(),
            "",
            "Its private key, unencrypted PKCS#8 (BEGIN PRIVATE KEY); convert others with openssl pkcs8 -topk8"
                    + " -nocrypt -in old-key.pem -out key.pem");
    public static final ConfigKey<String> CA_FILE = ConfigKey.of(
            "tls.ca_file",
            ValueType.string(),
            "",
            "The CA certificate(s) that sign the peers' certificates. Empty: the JDK's public CAs.");
    public static final ConfigKey<String> CLIENT_AUTH = ConfigKey.of(
            "tls.client_auth",
            ValueType.choice(List.of("none", "require")),
            "none",
            "none: any client may connect. require: mutual TLS; every connection (peers, and clients of /v1/query"
                    + " too) must present a certificate signed by ca_file.");
    public static final ConfigKey<Duration> RELOAD_INTERVAL_MS = ConfigKey.of(
            "tls.reload_interval_ms",
            ValueType.millis(0, 86_400_000),
            Duration.ofMinutes(1),
            "How often the three files are checked for renewed certificates, in milliseconds; new connections use"
                    + " renewed ones, open connections keep theirs. 0: never (restart to renew).");
    /** Read by the node: plain HTTP on a non-loopback address, explicitly. */
    public static final ConfigKey<Boolean> ALLOW_INSECURE = ConfigKey.of(
            "tls.allow_insecure",
            ValueType.bool(),
            false,
            "Serve plain HTTP on a non-loopback address anyway, logged as a warning at start: only where something"
                    + " else encrypts the network.");

    /** The {@code [tls]} table. */
    public static final ConfigSection SECTION = ConfigSection.table(
            "tls",
            "TLS on the HTTP port and to the peers, from PEM files (relative to this file). With cert_file and"
                    + " key_file set the node serves HTTPS only (HTTP/1.1) and every cluster.nodes url must be"
                    + " https://. Empty: plain HTTP, allowed on a loopback address only.",
            CERT_FILE,
            KEY_FILE,
            CA_FILE,
            CLIENT_AUTH,
            RELOAD_INTERVAL_MS,
            ALLOW_INSECURE);

    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofMinutes(1);

    /** Whether a peer must present a certificate. */
    public enum ClientAuth {
        NONE,
        REQUIRE;

        String tomlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public TlsConfig {
        requireNonNull(certFile, "cert file is null");
        requireNonNull(keyFile, "key file is null");
        requireNonNull(caFile, "ca file is null");
        requireNonNull(clientAuth, "client auth is null");
        requireNonNull(reloadInterval, "reload interval is null");
        RELOAD_INTERVAL_MS.check(reloadInterval);
        if (clientAuth == ClientAuth.REQUIRE && caFile.isEmpty()) {
            throw new IllegalArgumentException(CLIENT_AUTH + " = \"require\" needs " + CA_FILE);
        }
    }

    /**
     * Reads the {@code [tls]} keys (paths relative to {@code base}) and loads the files once, so that a missing file or
     * a key in the wrong format is reported with the configuration's other problems. Empty when no certificate is set.
     */
    public static Optional<TlsConfig> read(ConfigReader r, Path base) {
        Optional<Path> cert = path(r, CERT_FILE, base);
        Optional<Path> key = path(r, KEY_FILE, base);
        Optional<Path> ca = path(r, CA_FILE, base);
        ClientAuth clientAuth = ClientAuth.valueOf(r.get(CLIENT_AUTH).toUpperCase(Locale.ROOT));
        Duration reload = r.get(RELOAD_INTERVAL_MS);
        if (cert.isEmpty() && key.isEmpty()) {
            if (ca.isPresent() || clientAuth == ClientAuth.REQUIRE) {
                r.problem(CA_FILE + " and " + CLIENT_AUTH + " take effect only with TLS: set " + CERT_FILE + " and "
                        + KEY_FILE);
            }
            return Optional.empty();
        }
        if (cert.isEmpty() || key.isEmpty()) {
            r.problem(CERT_FILE + " and " + KEY_FILE + " go together; " + (cert.isEmpty() ? CERT_FILE : KEY_FILE)
                    + " is not set");
            return Optional.empty();
        }
        if (clientAuth == ClientAuth.REQUIRE && ca.isEmpty()) {
            r.problem(
                    CLIENT_AUTH + " = \"require\" needs " + CA_FILE + ", the CA whose certificates peers must present");
            return Optional.empty();
        }
        TlsConfig config = new TlsConfig(cert.get(), key.get(), ca, clientAuth, reload);
        config.problems().forEach(r::problem);
        return Optional.of(config);
    }

    private static Optional<Path> path(ConfigReader r, ConfigKey<String> key, Path base) {
        return r.find(key).filter(v -> !v.isBlank()).map(base::resolve);
    }

    /** What is wrong with the files, each message naming its key; empty when they make a usable key and trust store. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        boolean filesRead = true;
        try {
            PemKeyStores.certificates(certFile);
        } catch (IllegalArgumentException e) {
            problems.add(CERT_FILE + " " + e.getMessage());
            filesRead = false;
        }
        try {
            PemKeyStores.privateKey(keyFile);
        } catch (IllegalArgumentException e) {
            problems.add(KEY_FILE + " " + e.getMessage());
            filesRead = false;
        }
        if (filesRead) {
            try {
                PemKeyStores.keyStore(certFile, keyFile);
            } catch (IllegalArgumentException e) {
                problems.add(KEY_FILE + " " + e.getMessage());
            }
        }
        caFile.ifPresent(ca -> {
            try {
                PemKeyStores.trustStore(ca);
            } catch (IllegalArgumentException e) {
                problems.add(CA_FILE + " " + e.getMessage());
            }
        });
        return problems;
    }

    /** Loads the files into {@code factory} (at start, and again on every reload). */
    void configure(SslContextFactory factory) {
        factory.setKeyStore(PemKeyStores.keyStore(certFile, keyFile));
        factory.setKeyStorePassword(PemKeyStores.KEY_PASSWORD);
        caFile.ifPresent(ca -> factory.setTrustStore(PemKeyStores.trustStore(ca)));
    }

    /** The server side: this node's certificate; with {@code require}, a peer's certificate signed by the CA. */
    public SslContextFactory.Server newServerFactory() {
        SslContextFactory.Server factory = new SslContextFactory.Server();
        configure(factory);
        factory.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        factory.setNeedClientAuth(clientAuth == ClientAuth.REQUIRE);
        return factory;
    }

    /**
     * The client side: trusts the CA and checks that a peer's certificate names the host (or IP address) of its URL;
     * presents this node's certificate when a peer asks for one.
     */
    public SslContextFactory.Client newClientFactory() {
        SslContextFactory.Client factory = new SslContextFactory.Client();
        configure(factory);
        factory.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        factory.setEndpointIdentificationAlgorithm("HTTPS");
        return factory;
    }

    /** Makes {@code client} (not started yet) speak TLS through {@code connector}, reloading renewed certificates. */
    public void applyTo(ClientConnector connector, HttpClient client) {
        SslContextFactory.Client factory = newClientFactory();
        connector.setSslContextFactory(factory);
        CertificateReloader.of(this, factory).ifPresent(client::addBean);
    }
}
