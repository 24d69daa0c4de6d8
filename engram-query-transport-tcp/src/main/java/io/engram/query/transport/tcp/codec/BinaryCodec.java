package io.engram.query.transport.tcp.codec;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Deadline;
import io.engram.query.spi.NodeRequest;
import io.engram.query.spi.PartitionReply;
import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * The payloads of the binary node-to-node transport: a {@link NodeRequest} and a node's answer (one {@link
 * PartitionReply} per partition), in a layout made for the data. The deadline is not in the payload (it travels in the
 * frame header). Reading goes through the model's own constructors, so it accepts exactly what they accept; every
 * failure, of the bytes or of a constructor, is a {@link CodecException} naming the field path. Reading consumes the
 * buffer's whole readable region; bytes after the payload are refused. Thread-safe.
 *
 * <h2>Layout, version 1</h2>
 *
 * Primitives: {@code u8} one byte; {@code var} an unsigned LEB128 var-int (7 bits a byte, low first; an int at most 5
 * bytes, a long at most 9); {@code f64} a double, 8 bytes little-endian; {@code str} {@code var} byte length, then
 * UTF-8 (malformed UTF-8 is refused); {@code bool} {@code u8} 0 or 1; {@code opt<T>} {@code bool} presence, then
 * {@code T} when 1; {@code list<T>} {@code var} count, then the entries; {@code enum} {@code u8} ordinal, checked;
 * {@code duration} {@code var} seconds, {@code var} nanoseconds of the second; {@code embedding} {@code var}
 * dimensions, then each value as a 32-bit float, little-endian; {@code space} {@code var} index into the payload's
 * space table.
 *
 * <pre>
 * node request:  u8 format=1, str queryId, var reduceTo, spaces, list&lt;query&gt; queries, list&lt;partition&gt; partitions
 * spaces:        list&lt;str&gt; (the table: each space id of the payload once, every one used)
 * query:         enum type (0 recall, 1 spread, 2 complete, 3 imagine), list&lt;space&gt; spaces, then by type:
 *                  recall    cue {opt&lt;embedding&gt; embedding, opt&lt;str&gt; content}, f64 minConfidence
 *                  spread    list&lt;str&gt; seeds, var maxHops, f64 decay, f64 threshold
 *                  complete  opt&lt;partial&gt; partialEmbedding, list&lt;str name, str value&gt; knownFields
 *                  imagine   list&lt;str&gt; seeds, f64 novelty
 *                then options: var limit, opt&lt;duration&gt; timeout, opt&lt;str&gt; consistency, opt&lt;str&gt; mergePolicy,
 *                opt&lt;str&gt; planningStrategy
 * partial:       var dimensions, ceil(dimensions / 8) bytes of bitmap (dimension i known at bit i % 8 of byte i / 8,
 *                spare bits 0), then a f32 little-endian per known dimension, in order
 * partition:     space space, var query (index into queries; every query used), enum task (0 scan, 1 spread-run,
 *                2 spread-step, 3 seed-fetch, 4 cue-recall), then by task:
 *                  spread-run   list&lt;start&gt; starts          spread-step  list&lt;start&gt; activations
 *                  cue-recall   embedding cue                scan, seed-fetch  nothing
 * start:         str memory, f64 activation, var hopsUsed
 *
 * replies:       u8 format=1, spaces, list&lt;reply&gt; replies
 * reply:         enum outcome: 0 then result; 1 then space space, failure
 * result:        space space, str node, list&lt;match&gt; matches, f64 confidenceAdjustment, duration latency,
 *                list&lt;crossing&gt; frontier, list&lt;seed&gt; seeds
 * match:         str memoryId, space space, f64 confidence, str content, opt&lt;f64&gt; activation, opt&lt;f64&gt; similarity,
 *                list&lt;str name, str value&gt; fields, opt&lt;embedding&gt; embedding
 * crossing:      str memory, opt&lt;space&gt; space, f64 activation, var hopsUsed
 * seed:          str memory, embedding embedding
 * failure:       enum reason (0 timeout, 1 unreachable, 2 failed, 3 rejected), bool retryable, bool overloaded,
 *                opt&lt;str&gt; message (overloaded only with failed and not retryable)
 * </pre>
 *
 * <p>The partitions of one request usually share one query (hundreds of embedding floats): the query table carries
 * each distinct query (by identity) once. Every decoded partition gets its own {@linkplain Deadline#child() child} of
 * the deadline given, as on the JSON path, so that one partition can be cancelled without the others.
 */
public final class BinaryCodec {
    /** The payload format this codec writes and reads, the first byte of every payload. */
    public static final int FORMAT_VERSION = 1;

    private final CodecLimits limits;

    public BinaryCodec(CodecLimits limits) {
        this.limits = requireNonNull(limits, "limits is null");
    }

    public CodecLimits limits() {
        return limits;
    }

    /** Appends {@code request} to {@code out}. */
    public void writeNodeRequest(NodeRequest request, ByteBuf out) {
        requireNonNull(request, "request is null");
        requireNonNull(out, "out is null");
        NodeRequestFormat.write(request, out);
    }

    /**
     * Reads the node request that fills {@code in}'s readable bytes; each partition runs under a child of
     * {@code deadline}.
     *
     * @throws CodecException when the bytes are not a valid node request
     */
    public NodeRequest readNodeRequest(ByteBuf in, Deadline deadline) {
        requireNonNull(in, "in is null");
        requireNonNull(deadline, "deadline is null");
        PayloadReader reader = new PayloadReader(in, limits);
        try {
            return NodeRequestFormat.read(reader, deadline);
        } catch (IllegalArgumentException | NullPointerException e) {
            // a model constructor refused what was read: the reader is still on the value it refused
            throw reader.refused(e);
        }
    }

    /** Appends a node's answer, one reply per partition of its request, to {@code out}. */
    public void writeReplies(List<PartitionReply> replies, ByteBuf out) {
        requireNonNull(replies, "replies is null");
        requireNonNull(out, "out is null");
        PartitionReplyFormat.write(replies, out);
    }

    /**
     * Reads the node's answer that fills {@code in}'s readable bytes. Whether the replies match the request (one per
     * partition, same spaces, same order) is the caller's check.
     *
     * @throws CodecException when the bytes are not a valid answer
     */
    public List<PartitionReply> readReplies(ByteBuf in) {
        requireNonNull(in, "in is null");
        PayloadReader reader = new PayloadReader(in, limits);
        try {
            return PartitionReplyFormat.read(reader);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw reader.refused(e);
        }
    }
}
