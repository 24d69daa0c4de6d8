package io.engram.query.transport.tcp.codec;

/**
 * A payload the {@link BinaryCodec} could not read: short, malformed, over a {@link CodecLimits} bound, or refused by
 * a model constructor. The message names the field path and what was wrong, e.g. {@code
 * partitions[1].task.starts[3]: activation must be in [0, 1], got 2.0}.
 */
public final class CodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
