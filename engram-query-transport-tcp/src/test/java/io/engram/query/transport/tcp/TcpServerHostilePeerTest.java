package io.engram.query.transport.tcp;

import static io.engram.query.transport.tcp.TcpFixtures.CALLER;
import static io.engram.query.transport.tcp.TcpFixtures.SERVER;
import static io.engram.query.transport.tcp.TcpFixtures.answer;
import static io.engram.query.transport.tcp.TcpFixtures.context;
import static io.engram.query.transport.tcp.TcpFixtures.nodeRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.spi.config.ConfigValues;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Connections that break the protocol, on a real listener: each gets one REFUSED frame saying why (when it can be
 * told) and is closed, and the listener goes on serving a well-behaved client.
 */
class TcpServerHostilePeerTest {
    private static final String TOKEN = "t0ken-that-must-not-be-logged";

    private TcpServer server;
    private TcpTransport client;

    @BeforeEach
    void start() {
        ConfigValues settings = ConfigValues.builder()
                .put(TcpConfig.MAX_FRAME_BYTES, 65536)
                .put(TcpConfig.HANDSHAKE_TIMEOUT_MS, Duration.ofMillis(300))
                .build();
        server = TcpServer.start(
                context(SERVER, Optional.of(TOKEN), Map::of, settings),
                new InetSocketAddress("127.0.0.1", 0),
                request -> CompletableFuture.completedFuture(answer(request)),
                TcpConfig.from(settings));
        client = new TcpTransport(
                context(CALLER, Optional.of(TOKEN), () -> Map.of(SERVER, server.address()), ConfigValues.empty()),
                TcpConfig.defaults());
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    /** Sends {@code bytes} on a fresh connection and reads what comes back until the node closes it. */
    private byte[] exchange(byte[] bytes) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            return socket.getInputStream().readAllBytes();
        }
    }

    /** The message of the REFUSED frame that {@code answer} must be. */
    private static String refusal(byte[] answer) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(answer));
        int length = in.readInt();
        assertThat(length).isEqualTo(answer.length - 4);
        assertThat(in.readByte()).isEqualTo(Frames.REFUSED);
        in.readLong();
        byte[] message = new byte[in.readInt()];
        in.readFully(message);
        return new String(message, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuf frame) {
        byte[] out = new byte[frame.readableBytes()];
        frame.readBytes(out);
        frame.release();
        return out;
    }

    private void stillServes() throws Exception {
        assertThat(client.executeAll(SERVER, nodeRequest(Duration.ofSeconds(5), "s1"))
                        .get(10, TimeUnit.SECONDS))
                .hasSize(1);
    }

    @Test
    void anotherProtocolVersionIsRefusedNamingBoth() throws Exception {
        byte[] hello = bytes(Frames.hello(ByteBufAllocator.DEFAULT, (short) 2, TOKEN, "n9"));

        assertThat(refusal(exchange(hello)))
                .isEqualTo("protocol version 2 is not spoken here: node n2 speaks version 1");
        stillServes();
    }

    @Test
    void aWrongTokenIsRefusedAndNeverLogged() throws Exception {
        String guess = "guessed-token-value";
        PrintStream stderr = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        String answer;
        try {
            System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
            answer = refusal(exchange(bytes(Frames.hello(ByteBufAllocator.DEFAULT, Frames.VERSION, guess, "n9"))));
        } finally {
            System.setErr(stderr);
        }

        assertThat(answer).isEqualTo("cluster token rejected by node n2");
        assertThat(logged.toString(StandardCharsets.UTF_8))
                .contains("refused a tcp connection")
                .doesNotContain(guess)
                .doesNotContain(TOKEN);
        stillServes();
    }

    @Test
    void randomBytesAreRefusedAsNotAHandshake() throws Exception {
        byte[] noise = new byte[64];
        new Random(7).nextBytes(noise);
        // a plausible length, so that the frame is read and its content judged
        noise[0] = 0;
        noise[1] = 0;
        noise[2] = 0;
        noise[3] = 60;

        assertThat(refusal(exchange(noise)))
                .isEqualTo("not an Engram transport handshake: a connection must open with HELLO (protocol version 1)");
        stillServes();
    }

    @Test
    void anHttpRequestIsRefusedBeforeItsHugeLengthIsBuffered() throws Exception {
        // "POST" read as a length is about 1.3 GB, far over the limit: refused at once, nothing allocated for it
        byte[] http = "POST /internal/v1/node-query HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

        assertThat(refusal(exchange(http)))
                .startsWith("frame too long: ")
                .endsWith("transport.tcp.max_frame_bytes is 65536");
        stillServes();
    }

    @Test
    void anOversizedFrameAfterTheHandshakeClosesTheConnection() throws Exception {
        ByteBuf frames = Unpooled.buffer();
        frames.writeBytes(Frames.hello(ByteBufAllocator.DEFAULT, Frames.VERSION, TOKEN, "n9"));
        frames.writeInt(100 << 20);
        frames.writeByte(Frames.REQUEST);
        frames.writeLong(1);

        byte[] answer = exchange(bytes(frames));

        // WELCOME, then the refusal
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(answer));
        int welcome = in.readInt();
        in.skipBytes(welcome);
        byte[] rest = in.readAllBytes();
        assertThat(refusal(rest)).startsWith("frame too long: ");
        stillServes();
    }

    @Test
    void aHalfSentHandshakeIsClosedAfterTheHandshakeTimeout() throws Exception {
        byte[] hello = bytes(Frames.hello(ByteBufAllocator.DEFAULT, Frames.VERSION, TOKEN, "n9"));
        byte[] half = java.util.Arrays.copyOf(hello, hello.length / 2);

        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(half);
            socket.getOutputStream().flush();
            byte[] answer = readUntilClosed(socket.getInputStream());

            assertThat(refusal(answer)).isEqualTo("no handshake within 300 ms (transport.tcp.handshake_timeout_ms)");
        }
        stillServes();
    }

    @Test
    void aMalformedRequestIsRejectedAndTheConnectionServesOn() throws Exception {
        ByteBuf frames = Unpooled.buffer();
        frames.writeBytes(Frames.hello(ByteBufAllocator.DEFAULT, Frames.VERSION, TOKEN, "n9"));
        ByteBuf request = Frames.start(ByteBufAllocator.DEFAULT, Frames.REQUEST, 42, 16);
        request.writeLong(1_000_000);
        request.writeBytes(new byte[] {(byte) 0xff, (byte) 0xff, 0x01, 0x02});
        frames.writeBytes(Frames.finish(request));
        request.release();

        try (Socket socket = new Socket("127.0.0.1", server.address().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(bytes(frames));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            in.skipBytes(in.readInt()); // WELCOME
            byte[] error = new byte[in.readInt()];
            in.readFully(error);
            ByteBuf frame = Unpooled.wrappedBuffer(error);
            assertThat(frame.readByte()).isEqualTo(Frames.ERROR);
            assertThat(frame.readLong()).isEqualTo(42);
            assertThat(Frames.readError(frame))
                    .hasMessageStartingWith("malformed node request: ")
                    .extracting(e -> e.reason())
                    .isEqualTo(io.engram.query.api.MissingReason.REJECTED);
        }
        stillServes();
    }

    private static byte[] readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (EOFException e) {
            // closed
        }
        return out.toByteArray();
    }
}
