package io.engram.query.transport.tcp.codec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import io.engram.query.api.Embedding;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.PartialEmbedding;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.util.ByteProcessor;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * Reads the primitives of one payload (see {@link BinaryCodec}) and keeps the field path of the value being read, so
 * that every error names its place ({@code partitions[1].task.starts[3].activation}). Every length and count is
 * checked against the bytes left and against the {@link CodecLimits} before anything is allocated for it. One reader
 * per payload; not thread-safe.
 */
final class PayloadReader {
    /** The deepest path the layout has ({@code replies[0].result.matches[2].fields[1].name}), with room to spare. */
    private static final int MAX_DEPTH = 8;

    /** Stops at the first byte that is not ASCII. */
    private static final ByteProcessor ASCII = b -> b >= 0;

    private final ByteBuf in;
    private final CodecLimits limits;
    private final String[] names = new String[MAX_DEPTH];
    private final int[] indexes = new int[MAX_DEPTH];
    private int depth;
    private MemorySpaceId[] spaces = new MemorySpaceId[0];
    private boolean[] spaceUsed = new boolean[0];

    PayloadReader(ByteBuf in, CodecLimits limits) {
        this.in = in;
        this.limits = limits;
    }

    // ---------------------------------------------------------------- path

    /** The value read from here on is field {@code name} of the current one. */
    void enter(String name) {
        enter(name, -1);
    }

    /** The value read from here on is entry {@code index} of list {@code name} of the current one. */
    void enter(String name, int index) {
        names[depth] = name;
        indexes[depth] = index;
        depth++;
    }

    void leave() {
        depth--;
    }

    /** The current path, with {@code leaf} (a field of the current value) when not null. */
    String path(String leaf) {
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            if (path.length() > 0) {
                path.append('.');
            }
            path.append(names[i]);
            if (indexes[i] >= 0) {
                path.append('[').append(indexes[i]).append(']');
            }
        }
        if (leaf != null) {
            if (path.length() > 0) {
                path.append('.');
            }
            path.append(leaf);
        }
        return path.toString();
    }

    /** An error at {@code leaf} of the current value ({@code null}: the current value itself). */
    CodecException fail(String leaf, String detail) {
        return fail(leaf, detail, null);
    }

    /** A model constructor refused what was read for the current value. */
    CodecException refused(RuntimeException e) {
        return refused(null, e);
    }

    private CodecException refused(String leaf, RuntimeException e) {
        return fail(leaf, String.valueOf(e.getMessage()), e);
    }

    private CodecException fail(String leaf, String detail, Throwable cause) {
        String path = path(leaf);
        return new CodecException(path.isEmpty() ? detail : path + ": " + detail, cause);
    }

    // ---------------------------------------------------------------- framing

    void format(int version) {
        int found = u8("format");
        if (found != version) {
            throw fail("format", "version " + found + " is not supported; this node reads version " + version);
        }
    }

    /** Fails when bytes follow the payload. */
    void end(String what) {
        if (in.isReadable()) {
            throw fail(null, in.readableBytes() + " bytes after the end of the " + what);
        }
    }

    private void need(String leaf, int bytes) {
        if (in.readableBytes() < bytes) {
            throw fail(leaf, "needs " + bytes + (bytes == 1 ? " byte, " : " bytes, ") + in.readableBytes() + " remain");
        }
    }

    // ---------------------------------------------------------------- numbers

    int u8(String leaf) {
        need(leaf, 1);
        return in.readUnsignedByte();
    }

    /** A non-negative int as an unsigned LEB128 var-int of at most 5 bytes. */
    int varInt(String leaf) {
        int value = 0;
        for (int shift = 0; shift < 28; shift += 7) {
            int b = u8(leaf);
            value |= (b & 0x7F) << shift;
            if (b < 0x80) {
                return value;
            }
        }
        int last = u8(leaf);
        if (last > 0x07) {
            throw fail(leaf, "var-int is larger than " + Integer.MAX_VALUE);
        }
        return value | last << 28;
    }

    /** A non-negative long as an unsigned LEB128 var-int of at most 9 bytes. */
    long varLong(String leaf) {
        long value = 0;
        for (int shift = 0; shift < 56; shift += 7) {
            int b = u8(leaf);
            value |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                return value;
            }
        }
        int last = u8(leaf);
        if (last > 0x7F) {
            throw fail(leaf, "var-long is larger than " + Long.MAX_VALUE);
        }
        return value | (long) last << 56;
    }

    double float64(String leaf) {
        need(leaf, Double.BYTES);
        return in.readDoubleLE();
    }

    boolean bool(String leaf) {
        int b = u8(leaf);
        if (b > 1) {
            throw fail(leaf, "must be 0 or 1, got " + b);
        }
        return b == 1;
    }

    /** An ordinal in one byte, below {@code names.size()}; the names are for the error. */
    int ordinal(String leaf, String kind, List<String> known) {
        int ordinal = u8(leaf);
        if (ordinal >= known.size()) {
            StringBuilder list = new StringBuilder();
            for (int i = 0; i < known.size(); i++) {
                list.append(i == 0 ? "" : ", ").append(i).append(' ').append(known.get(i));
            }
            throw fail(leaf, "unknown " + kind + " " + ordinal + "; known: " + list);
        }
        return ordinal;
    }

    Duration duration(String leaf) {
        long seconds = varLong(leaf);
        int nanos = varInt(leaf);
        if (nanos > 999_999_999) {
            throw fail(leaf, "nanoseconds must be in [0, 999999999], got " + nanos);
        }
        return Duration.ofSeconds(seconds, nanos);
    }

    OptionalDouble optionalDouble(String leaf) {
        return bool(leaf) ? OptionalDouble.of(float64(leaf)) : OptionalDouble.empty();
    }

    // ---------------------------------------------------------------- lengths

    /**
     * A list's entry count, each entry taking at least {@code minEntryBytes}: checked against the bytes left and the
     * limit, so that a list sized by it costs no more than the payload.
     */
    int count(String leaf, int minEntryBytes) {
        int count = varInt(leaf);
        long needed = (long) count * minEntryBytes;
        if (needed > in.readableBytes()) {
            throw fail(
                    leaf, "count " + count + " needs at least " + needed + " bytes, " + in.readableBytes() + " remain");
        }
        if (count > limits.maxListEntries()) {
            throw fail(leaf, "count " + count + " exceeds the limit of " + limits.maxListEntries() + " entries");
        }
        return count;
    }

    /** A UTF-8 string after its byte length; malformed UTF-8 is refused. */
    String string(String leaf) {
        int length = varInt(leaf);
        if (length > in.readableBytes()) {
            throw fail(leaf, "length " + length + " exceeds the remaining " + in.readableBytes() + " bytes");
        }
        if (length > limits.maxStringBytes()) {
            throw fail(leaf, "length " + length + " exceeds the limit of " + limits.maxStringBytes() + " bytes");
        }
        int at = in.readerIndex();
        String value;
        if (in.forEachByte(at, length, ASCII) < 0) {
            value = in.toString(at, length, US_ASCII);
        } else if (ByteBufUtil.isText(in, at, length, UTF_8)) {
            value = in.toString(at, length, UTF_8);
        } else {
            throw fail(leaf, "is not valid UTF-8");
        }
        in.skipBytes(length);
        return value;
    }

    Optional<String> optionalString(String leaf) {
        return bool(leaf) ? Optional.of(string(leaf)) : Optional.empty();
    }

    /** A string made into an id by {@code parse} (an id record's constructor); a refusal names {@code leaf}. */
    <T> T id(String leaf, Function<String, T> parse) {
        String value = string(leaf);
        try {
            return parse.apply(value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw refused(leaf, e);
        }
    }

    // ---------------------------------------------------------------- embeddings

    Embedding embedding(String leaf) {
        int dimensions = dimensions(leaf);
        float[] values = floats(leaf, dimensions);
        try {
            return Embedding.of(values);
        } catch (IllegalArgumentException e) {
            throw refused(leaf, e);
        }
    }

    Optional<Embedding> optionalEmbedding(String leaf) {
        return bool(leaf) ? Optional.of(embedding(leaf)) : Optional.empty();
    }

    /**
     * A partial embedding: its dimensions, a bitmap of the known ones ({@code ceil(dimensions / 8)} bytes, dimension
     * {@code i} at bit {@code i % 8} of byte {@code i / 8}, the bits past the last dimension 0), then the known values
     * in order.
     */
    PartialEmbedding partialEmbedding(String leaf) {
        int dimensions = dimensions(leaf);
        int bitmapBytes = (dimensions + 7) / 8;
        need(leaf, bitmapBytes);
        byte[] bitmap = new byte[bitmapBytes];
        in.readBytes(bitmap);
        int spare = bitmapBytes * 8 - dimensions;
        if (spare > 0 && (bitmap[bitmapBytes - 1] & 0xFF) >>> (8 - spare) != 0) {
            throw fail(leaf, "the known-dimension bitmap marks dimensions past the last one");
        }
        int known = 0;
        for (byte b : bitmap) {
            known += Integer.bitCount(b & 0xFF);
        }
        float[] values = floats(leaf, known);
        List<Float> dims = new ArrayList<>(dimensions);
        for (int i = 0, next = 0; i < dimensions; i++) {
            dims.add((bitmap[i >>> 3] & 1 << (i & 7)) != 0 ? values[next++] : null);
        }
        try {
            return PartialEmbedding.of(dims);
        } catch (IllegalArgumentException e) {
            throw refused(leaf, e);
        }
    }

    private int dimensions(String leaf) {
        int dimensions = varInt(leaf);
        if (dimensions < 1 || dimensions > limits.maxEmbeddingDimensions()) {
            throw fail(leaf, "must have 1 to " + limits.maxEmbeddingDimensions() + " dimensions, got " + dimensions);
        }
        if (limits.dimensions().isPresent() && dimensions != limits.dimensions().get()) {
            throw fail(leaf, "must have " + limits.dimensions().get() + " dimensions, got " + dimensions);
        }
        return dimensions;
    }

    /** {@code count} little-endian floats, read in bulk. */
    private float[] floats(String leaf, int count) {
        int bytes = count * Float.BYTES;
        if (bytes > in.readableBytes()) {
            throw fail(leaf, count + " floats need " + bytes + " bytes, " + in.readableBytes() + " remain");
        }
        float[] values = new float[count];
        in.nioBuffer(in.readerIndex(), bytes)
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(values);
        in.skipBytes(bytes);
        return values;
    }

    // ---------------------------------------------------------------- the space table

    /**
     * Reads the payload's table of space ids ({@code spaces}): a count, then each id once. Every other space of the
     * payload is an index into it; {@link #checkSpacesUsed} then refuses an entry nothing referred to.
     */
    void spaceTable() {
        int count = count("spaces", 2);
        spaces = new MemorySpaceId[count];
        spaceUsed = new boolean[count];
        Map<MemorySpaceId, Integer> seen = new HashMap<>();
        for (int i = 0; i < count; i++) {
            enter("spaces", i);
            MemorySpaceId space = id(null, MemorySpaceId::new);
            Integer earlier = seen.putIfAbsent(space, i);
            if (earlier != null) {
                throw fail(null, "repeats '" + space + "' of spaces[" + earlier + "]");
            }
            spaces[i] = space;
            leave();
        }
    }

    /** A space as its index in the table. */
    MemorySpaceId space(String leaf) {
        int index = varInt(leaf);
        if (index >= spaces.length) {
            throw fail(leaf, "space " + index + " is not in the table of " + spaces.length + " spaces");
        }
        spaceUsed[index] = true;
        return spaces[index];
    }

    void checkSpacesUsed() {
        for (int i = 0; i < spaceUsed.length; i++) {
            if (!spaceUsed[i]) {
                enter("spaces", i);
                throw fail(null, "'" + spaces[i] + "' is not used by the payload");
            }
        }
    }
}
