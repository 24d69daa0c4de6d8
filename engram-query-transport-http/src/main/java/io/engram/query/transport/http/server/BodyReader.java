package io.engram.query.transport.http.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.io.Content;

/**
 * Reads a request body without blocking a thread, failing with a 413 problem as soon as it passes the limit (the
 * Content-Length header is checked before, but chunked bodies have none).
 */
final class BodyReader implements Runnable {
    private final Content.Source source;
    private final int maxBytes;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();

    private BodyReader(Content.Source source, int maxBytes) {
        this.source = source;
        this.maxBytes = maxBytes;
    }

    static CompletableFuture<byte[]> read(Content.Source source, int maxBytes) {
        BodyReader reader = new BodyReader(source, maxBytes);
        reader.run();
        return reader.body;
    }

    /** A 413 problem; {@code exact} when the size came from Content-Length, not from reading part of the body. */
    static ProblemException tooLarge(int maxBytes, long size, boolean exact) {
        return new ProblemException(Problem.of(
                413,
                "Content Too Large",
                "body must be at most " + maxBytes + " bytes, got " + (exact ? "" : "at least ") + size));
    }

    @Override
    public void run() {
        while (true) {
            Content.Chunk chunk = source.read();
            if (chunk == null) {
                source.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                body.completeExceptionally(chunk.getFailure());
                return;
            }
            ByteBuffer buffer = chunk.getByteBuffer();
            int size = buffer.remaining();
            if ((long) out.size() + size > maxBytes) {
                chunk.release();
                body.completeExceptionally(tooLarge(maxBytes, (long) out.size() + size, false));
                return;
            }
            if (buffer.hasArray()) {
                out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), size);
            } else {
                byte[] copy = new byte[size];
                buffer.get(copy);
                out.write(copy, 0, size);
            }
            boolean last = chunk.isLast();
            chunk.release();
            if (last) {
                body.complete(out.toByteArray());
                return;
            }
        }
    }
}
