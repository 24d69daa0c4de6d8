package io.engram.query.transport.http.tls;

import static java.util.Objects.requireNonNull;

import io.engram.query.spi.TransportTls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;

/**
 * The node's {@code [tls]} section for a transport with a port of its own (the tcp transport): one context with the
 * node's certificate and key and the CA, rebuilt for new connections when the files changed, checked at most every
 * {@code tls.reload_interval_ms} (as {@link CertificateReloader} does for the HTTP side).
 */
public final class NodeTransportTls implements TransportTls {
    private final TlsConfig config;
    private final LongSupplier nanoTime;
    private SSLContext context;
    private List<FileTime> stamps;
    private long checkedAt;

    public NodeTransportTls(TlsConfig config, LongSupplier nanoTime) {
        this.config = requireNonNull(config, "config is null");
        this.nanoTime = requireNonNull(nanoTime, "nano time is null");
        this.stamps = stamps();
        this.context = build();
        this.checkedAt = nanoTime.getAsLong();
    }

    /** The node's {@code [tls]} section, for the HTTP transport's own client. */
    public TlsConfig config() {
        return config;
    }

    @Override
    public synchronized SSLContext context() {
        long now = nanoTime.getAsLong();
        long interval = config.reloadInterval().toNanos();
        if (interval > 0 && now - checkedAt >= interval) {
            checkedAt = now;
            List<FileTime> current = stamps();
            if (!current.equals(stamps)) {
                try {
                    context = build();
                    stamps = current;
                } catch (IllegalArgumentException e) {
                    // a file half-written or broken: keep serving with the certificate that works, try again later
                }
            }
        }
        return context;
    }

    @Override
    public boolean requiresPeerCertificate() {
        return config.clientAuth() == TlsConfig.ClientAuth.REQUIRE;
    }

    private SSLContext build() {
        return PemKeyStores.clientContext(
                config.caFile(), java.util.Optional.of(config.certFile()), java.util.Optional.of(config.keyFile()));
    }

    private List<FileTime> stamps() {
        List<Path> files = new ArrayList<>(List.of(config.certFile(), config.keyFile()));
        config.caFile().ifPresent(files::add);
        List<FileTime> out = new ArrayList<>();
        for (Path file : files) {
            try {
                out.add(Files.getLastModifiedTime(file));
            } catch (IOException e) {
                out.add(FileTime.fromMillis(0));
            }
        }
        return out;
    }
}
