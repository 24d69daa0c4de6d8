package io.engram.query.benchmarks.scatter;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What the exchanges of {@link LoopbackExchanges} cost without HTTP: the same rounds, bodies and answers as
 * length-prefixed frames over plain TCP sockets on loopback, with a blocking thread per connection on both sides (the
 * servers answer on their reading thread; a reading thread per client connection completes the answers). It is the
 * least a binary node-to-node protocol could cost on this machine, for comparison with Jetty's HTTP/1.1; nothing in
 * the product uses it.
 */
final class LoopbackSockets implements LoopbackRounds {
    private final List<Closeable> sockets = new ArrayList<>();
    private final List<DataOutputStream> requests = new ArrayList<>();
    private final List<BlockingQueue<CompletableFuture<byte[]>>> waiting = new ArrayList<>();
    private final int[] callsPerRound;
    private final byte[] request = new byte[LoopbackExchanges.REQUEST_BYTES];

    /** Starts the servers and connects to each; {@code callsPerRound[r]} exchanges run at once in round {@code r}. */
    LoopbackSockets(int[] callsPerRound) {
        this.callsPerRound = callsPerRound.clone();
        int width = LoopbackExchanges.width(callsPerRound);
        try {
            for (int i = 0; i < width; i++) {
                connect(startServer());
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("could not start the loopback sockets", e);
        }
    }

    private int startServer() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        sockets.add(server);
        daemon("loopback-accept", () -> {
            try {
                while (true) {
                    Socket socket = server.accept();
                    socket.setTcpNoDelay(true);
                    sockets.add(socket);
                    daemon("loopback-server", () -> answer(socket));
                }
            } catch (IOException e) {
                // closed
            }
        });
        return server.getLocalPort();
    }

    private static void answer(Socket socket) {
        byte[] answer = new byte[LoopbackExchanges.ANSWER_BYTES];
        byte[] buffer = new byte[LoopbackExchanges.REQUEST_BYTES];
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()))) {
            while (true) {
                int length = in.readInt();
                if (length != buffer.length) {
                    throw new IOException("expected " + buffer.length + " bytes, got " + length);
                }
                in.readFully(buffer);
                out.writeInt(answer.length);
                out.write(answer);
                out.flush();
            }
        } catch (IOException e) {
            // closed
        }
    }

    private void connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        sockets.add(socket);
        requests.add(new DataOutputStream(new BufferedOutputStream(socket.getOutputStream())));
        BlockingQueue<CompletableFuture<byte[]>> queue = new LinkedBlockingQueue<>();
        waiting.add(queue);
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        daemon("loopback-client", () -> {
            try {
                while (true) {
                    byte[] answer = new byte[in.readInt()];
                    in.readFully(answer);
                    queue.take().complete(answer);
                }
            } catch (IOException | InterruptedException e) {
                CompletableFuture<byte[]> next;
                while ((next = queue.poll()) != null) {
                    next.completeExceptionally(e);
                }
            }
        });
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public long runRounds() {
        return LoopbackExchanges.runRounds(callsPerRound, this::exchange);
    }

    private CompletableFuture<byte[]> exchange(int server) {
        // A server or reader that died would leave the answer waiting forever: a benchmark must fail instead.
        CompletableFuture<byte[]> answer = new CompletableFuture<byte[]>().orTimeout(10, TimeUnit.SECONDS);
        waiting.get(server).add(answer);
        DataOutputStream out = requests.get(server);
        try {
            out.writeInt(request.length);
            out.write(request);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("loopback exchange failed", e);
        }
        return answer;
    }

    @Override
    public void close() {
        for (Closeable socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing: nothing more to do
            }
        }
    }
}
