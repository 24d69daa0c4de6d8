package io.engram.query.transport.http.tls;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.component.ContainerLifeCycle;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the PEM files of a {@link TlsConfig} every {@link TlsConfig#reloadInterval()} and, when their content
 * changed, loads them into the running {@link SslContextFactory}: renewed certificates are used by new connections
 * without a restart. Files that can not be used (a renewal half written, a key that does not match) are logged once
 * per change and the previous certificates stay in use.
 *
 * <p>A Jetty bean: added to the server or client that owns the factory, it is started and stopped with it (its one
 * daemon thread is named {@value #THREAD_NAME}).
 */
public final class CertificateReloader extends ContainerLifeCycle {
    static final String THREAD_NAME = "engram-tls-reload";
    private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

    private final TlsConfig tls;
    private final SslContextFactory factory;
    private final Scheduler scheduler = new ScheduledExecutorScheduler(THREAD_NAME, true);
    private volatile Scheduler.Task task;
    private byte[] seen;

    private CertificateReloader(TlsConfig tls, SslContextFactory factory) {
        this.tls = requireNonNull(tls, "tls is null");
        this.factory = requireNonNull(factory, "factory is null");
        this.seen = fingerprint();
        addBean(scheduler);
    }

    /** A reloader for {@code factory}, configured from {@code tls}; empty when reloading is off (interval zero). */
    public static Optional<CertificateReloader> of(TlsConfig tls, SslContextFactory factory) {
        return tls.reloadInterval().isZero() ? Optional.empty() : Optional.of(new CertificateReloader(tls, factory));
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        schedule();
    }

    @Override
    protected void doStop() throws Exception {
        Scheduler.Task current = task;
        if (current != null) {
            current.cancel();
        }
        super.doStop();
    }

    private void schedule() {
        task = scheduler.schedule(this::check, tls.reloadInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Reloads when the files changed; runs on the scheduler's one thread. */
    void check() {
        try {
            byte[] now = fingerprint();
            if (!Arrays.equals(now, seen)) {
                seen = now; // a failed reload is reported once, not at every check
                factory.reload(tls::configure);
                LOG.info("reloaded TLS certificates from {}", files());
            }
        } catch (Exception e) {
            LOG.warn(
                    "could not reload TLS certificates from {}; the previous ones stay in use: {}",
                    files(),
                    e.getMessage());
        } finally {
            if (isRunning()) {
                schedule();
            }
        }
    }

    private List<Path> files() {
        List<Path> files = new ArrayList<>(List.of(tls.certFile(), tls.keyFile()));
        tls.caFile().ifPresent(files::add);
        return files;
    }

    /** A digest of the files' content; a missing file counts as a content of its own. */
    private byte[] fingerprint() {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
        for (Path file : files()) {
            try {
                digest.update(Files.readAllBytes(file));
            } catch (IOException e) {
                digest.update(("missing " + file).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            digest.update((byte) 0);
        }
        return digest.digest();
    }
}
