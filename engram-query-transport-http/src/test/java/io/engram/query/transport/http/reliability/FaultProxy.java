package io.engram.query.transport.http.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP proxy between a coordinator and one node that injects network faults. The fault applies to connections
 * accepted after {@link #mode} was set; setting a mode closes the connections open so far, so a pooled keep-alive
 * connection can not slip past it.
 */
final class FaultProxy implements AutoCloseable {
    /** What the proxy does with a connection. */
    enum Mode {
        /** forward both ways */
        PASS,
        /** forward, holding each request chunk for {@code delayMs} first */
        DELAY,
        /** accept and close at once (FIN) */
        DROP,
        /** accept, read everything, forward and answer nothing */
        BLACK_HOLE,
        /** accept, read the request, close with SO_LINGER 0 (RST) */
        RESET,
        /** forward the request; forward the answer one byte per {@code delayMs} */
        TRICKLE
    }

    private final ServerSocket server;
    private volatile InetSocketAddress upstream;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayMs;

    /** A proxy to {@code upstreamPort} on loopback; 0 until {@link #upstream} names it. */
    FaultProxy(int upstreamPort) throws IOException {
        upstream(upstreamPort);
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    void upstream(int port) {
        this.upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    void mode(Mode mode, long delayMs) {
        this.delayMs = delayMs;
        this.mode = mode;
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                threads.execute(() -> serve(client, mode));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client, Mode m) {
        try {
            switch (m) {
                case DROP -> closeQuietly(client);
                case BLACK_HOLE -> drain(client);
                case RESET -> {
                    client.getInputStream().read(new byte[8192]);
                    client.setSoLinger(true, 0);
                    client.close();
                }
                default -> forward(client, m);
            }
        } catch (IOException e) {
            closeQuietly(client);
        }
    }

    private static void drain(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        byte[] buffer = new byte[8192];
        while (in.read(buffer) >= 0) {
            // swallow
        }
        client.close();
    }

    private void forward(Socket client, Mode m) throws IOException {
        Socket target = new Socket();
        open.add(target);
        target.connect(upstream, 1000);
        threads.execute(() -> pump(client, target, m == Mode.DELAY, false));
        pump(target, client, false, m == Mode.TRICKLE);
    }

    private void pump(Socket from, Socket to, boolean delayChunks, boolean trickle) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16384];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (delayChunks) {
                    Thread.sleep(delayMs);
                }
                if (trickle) {
                    for (int i = 0; i < n; i++) {
                        out.write(buffer[i]);
                        out.flush();
                        Thread.sleep(delayMs);
                    }
                } else {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // the other side went away or the proxy closed the pair
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        mode(Mode.PASS, 0);
        threads.shutdownNow();
    }
}
