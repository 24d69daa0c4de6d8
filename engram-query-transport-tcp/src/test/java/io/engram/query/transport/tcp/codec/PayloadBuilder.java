package io.engram.query.transport.tcp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/** Writes a payload by hand, primitive by primitive, for the tests of malformed input. */
final class PayloadBuilder {
    private final ByteBuf out = Unpooled.buffer();

    PayloadBuilder u8(int... values) {
        for (int value : values) {
            out.writeByte(value);
        }
        return this;
    }

    PayloadBuilder var(int value) {
        PayloadWriter.varInt(out, value);
        return this;
    }

    PayloadBuilder f64(double value) {
        out.writeDoubleLE(value);
        return this;
    }

    PayloadBuilder f32(float... values) {
        for (float value : values) {
            out.writeFloatLE(value);
        }
        return this;
    }

    PayloadBuilder str(String value) {
        PayloadWriter.string(out, value);
        return this;
    }

    /** A space table of these ids. */
    PayloadBuilder spaces(String... ids) {
        var(ids.length);
        for (String id : ids) {
            str(id);
        }
        return this;
    }

    /** A recall of content {@code "tea"} over no spaces with default options. */
    PayloadBuilder recallQuery() {
        return u8(0).var(0).u8(0).u8(1).str("tea").f64(0.0).defaultOptions();
    }

    /** A spread of seed {@code "a"} over no spaces, 3 hops, decay 0.1, threshold 0.01, default options. */
    PayloadBuilder spreadQuery() {
        return u8(1).var(0).var(1).str("a").var(3).f64(0.1).f64(0.01).defaultOptions();
    }

    PayloadBuilder defaultOptions() {
        return var(10).u8(0, 0, 0, 0);
    }

    /** The start of a node request: format, query id {@code "q"}, reduce to 0, the space table of these ids. */
    PayloadBuilder request(String... spaces) {
        return u8(BinaryCodec.FORMAT_VERSION).str("q").var(0).spaces(spaces);
    }

    /** The start of the replies: format, the space table of these ids. */
    PayloadBuilder replies(String... spaces) {
        return u8(BinaryCodec.FORMAT_VERSION).spaces(spaces);
    }

    /** A result's start: space 0, node {@code "n1"}. */
    PayloadBuilder resultOfSpace0() {
        return u8(0).var(0).str("n1");
    }

    /** A match's start: memory {@code "m1"}, space 0, confidence 0.5. */
    PayloadBuilder matchStart() {
        return str("m1").var(0).f64(0.5);
    }

    ByteBuf buf() {
        return out;
    }
}
