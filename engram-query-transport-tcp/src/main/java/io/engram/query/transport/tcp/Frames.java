package io.engram.query.transport.tcp;

import io.engram.query.api.MissingReason;
import io.engram.query.spi.TransportException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The frames of the tcp transport. Each is {@code length:int32} (of what follows), {@code type:uint8},
 * {@code requestId:int64}, then the type's payload; all integers big-endian except the payload codec's own.
 *
 * <pre>
 * HELLO    client → node, first frame of a connection, id 0:
 *          magic:int32 "EQTP", version:int16, token:string (empty when none), caller node id:string
 * WELCOME  node → client, the handshake accepted: version:int16, node id:string
 * REFUSED  node → client, the handshake or the connection refused, then closed: message:string
 * REQUEST  client → node: remaining deadline in microseconds:int64, node request (BinaryCodec)
 * REPLY    node → client: one reply per partition (BinaryCodec)
 * ERROR    node → client, the whole request failed: reason:uint8, flags:uint8 (1 retryable, 2 overloaded),
 *          message:string
 * CANCEL   client → node: stop request id; no payload, no answer
 * string:  length:int32 then UTF-8
 * </pre>
 */
final class Frames {
    /** "EQTP": the first bytes of every handshake, so a stray client (an HTTP request, random bytes) is told apart. */
    static final int MAGIC = 0x45515450;
    /** The protocol version this build speaks; a peer of another version is refused naming both. */
    static final short VERSION = 1;

    static final byte HELLO = 1;
    static final byte WELCOME = 2;
    static final byte REFUSED = 3;
    static final byte REQUEST = 4;
    static final byte REPLY = 5;
    static final byte ERROR = 6;
    static final byte CANCEL = 7;

    /** Type and request id, after the length. */
    static final int HEADER_BYTES = 1 + 8;
    /** The longest token, node id or message a frame of the protocol itself may carry. */
    static final int MAX_TEXT_BYTES = 64 << 10;

    private static final int RETRYABLE = 1;
    private static final int OVERLOADED = 2;

    private Frames() {}

    /** A buffer with the frame's header written; the length is set by {@link #finish}. */
    static ByteBuf start(ByteBufAllocator allocator, byte type, long requestId, int payloadHint) {
        ByteBuf out = allocator.buffer(4 + HEADER_BYTES + payloadHint);
        out.writeInt(0);
        out.writeByte(type);
        out.writeLong(requestId);
        return out;
    }

    /** Sets the frame's length; the frame's size on the wire is {@code out.readableBytes()}. */
    static ByteBuf finish(ByteBuf out) {
        out.setInt(out.readerIndex(), out.readableBytes() - 4);
        return out;
    }

    static ByteBuf hello(ByteBufAllocator allocator, short version, String token, String caller) {
        ByteBuf out = start(allocator, HELLO, 0, 64);
        out.writeInt(MAGIC);
        out.writeShort(version);
        writeString(out, token);
        writeString(out, caller);
        return finish(out);
    }

    static ByteBuf welcome(ByteBufAllocator allocator, String node) {
        ByteBuf out = start(allocator, WELCOME, 0, 32);
        out.writeShort(VERSION);
        writeString(out, node);
        return finish(out);
    }

    static ByteBuf refused(ByteBufAllocator allocator, String message) {
        ByteBuf out = start(allocator, REFUSED, 0, message.length() + 4);
        writeString(out, message);
        return finish(out);
    }

    static ByteBuf cancel(ByteBufAllocator allocator, long requestId) {
        return finish(start(allocator, CANCEL, requestId, 0));
    }

    static ByteBuf error(ByteBufAllocator allocator, long requestId, TransportException failure) {
        String message = String.valueOf(failure.getMessage());
        ByteBuf out = start(allocator, ERROR, requestId, message.length() + 6);
        out.writeByte(failure.reason().ordinal());
        out.writeByte((failure.isRetryable() ? RETRYABLE : 0) | (failure.isOverloaded() ? OVERLOADED : 0));
        writeString(out, message);
        return finish(out);
    }

    /** The failure an ERROR frame carries, as the serving node said it. */
    static TransportException readError(ByteBuf in) {
        int reason = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        String message = readString(in, "error message");
        MissingReason[] reasons = MissingReason.values();
        if (reason >= reasons.length) {
            throw new ProtocolException("error reason " + reason + " is not one of 0.." + (reasons.length - 1));
        }
        if ((flags & OVERLOADED) != 0) {
            return TransportException.overloaded(message);
        }
        return new TransportException(reasons[reason], (flags & RETRYABLE) != 0, message);
    }

    static void writeString(ByteBuf out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.writeBytes(bytes);
    }

    /** A string of at most {@link #MAX_TEXT_BYTES}, checked against what the frame holds before it is read. */
    static String readString(ByteBuf in, String what) {
        if (in.readableBytes() < 4) {
            throw new ProtocolException(what + ": the frame ends before its length");
        }
        int length = in.readInt();
        if (length < 0 || length > MAX_TEXT_BYTES || length > in.readableBytes()) {
            throw new ProtocolException(what + ": length " + length + " is not in [0, "
                    + Math.min(MAX_TEXT_BYTES, in.readableBytes()) + "]");
        }
        String value = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
        in.skipBytes(length);
        return value;
    }

    /** The name of a frame type, for messages. */
    static String name(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case WELCOME -> "WELCOME";
            case REFUSED -> "REFUSED";
            case REQUEST -> "REQUEST";
            case REPLY -> "REPLY";
            case ERROR -> "ERROR";
            case CANCEL -> "CANCEL";
            default -> "unknown type " + type;
        };
    }

    /** A frame that breaks the protocol (not the payload codec's business): the connection is closed. */
    static final class ProtocolException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }
}
