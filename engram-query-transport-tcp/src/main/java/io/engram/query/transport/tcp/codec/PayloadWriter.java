package io.engram.query.transport.tcp.codec;

import io.engram.query.api.Embedding;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;

/** The primitives of the payload layout (see {@link BinaryCodec}), written into a {@link ByteBuf}. */
final class PayloadWriter {
    private PayloadWriter() {}

    /** An unsigned LEB128 var-int: 7 bits a byte, low bits first, high bit set on every byte but the last. */
    static void varInt(ByteBuf out, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("a var-int is not negative, got " + value);
        }
        while ((value & ~0x7F) != 0) {
            out.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }

    static void varLong(ByteBuf out, long value) {
        if (value < 0) {
            throw new IllegalArgumentException("a var-long is not negative, got " + value);
        }
        while ((value & ~0x7FL) != 0) {
            out.writeByte((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.writeByte((int) value);
    }

    static void bool(ByteBuf out, boolean value) {
        out.writeByte(value ? 1 : 0);
    }

    static void float64(ByteBuf out, double value) {
        out.writeDoubleLE(value);
    }

    /** The UTF-8 byte length as a var-int, then the bytes. */
    static void string(ByteBuf out, String value) {
        int length = ByteBufUtil.utf8Bytes(value);
        varInt(out, length);
        int written = ByteBufUtil.reserveAndWriteUtf8(out, value, length);
        if (written != length) {
            throw new IllegalStateException("wrote " + written + " UTF-8 bytes, announced " + length);
        }
    }

    static void optionalString(ByteBuf out, Optional<String> value) {
        bool(out, value.isPresent());
        value.ifPresent(v -> string(out, v));
    }

    static void optionalDouble(ByteBuf out, OptionalDouble value) {
        bool(out, value.isPresent());
        if (value.isPresent()) {
            float64(out, value.getAsDouble());
        }
    }

    /** Seconds as a var-long, then the nanoseconds of the second as a var-int: exact for any non-negative duration. */
    static void duration(ByteBuf out, Duration value) {
        varLong(out, value.getSeconds());
        varInt(out, value.getNano());
    }

    /** The dimensions as a var-int, then each value as a little-endian 32-bit float. */
    static void embedding(ByteBuf out, Embedding embedding) {
        int dimensions = embedding.dimensions();
        varInt(out, dimensions);
        floats(out, embedding.toArray(), dimensions);
    }

    /** The first {@code count} values of {@code values} as little-endian 32-bit floats, reserved at once. */
    static void floats(ByteBuf out, float[] values, int count) {
        out.ensureWritable(count * Float.BYTES);
        int at = out.writerIndex();
        for (int i = 0; i < count; i++) {
            out.setFloatLE(at + i * Float.BYTES, values[i]);
        }
        out.writerIndex(at + count * Float.BYTES);
    }
}
