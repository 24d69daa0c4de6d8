/**
 * The payload codec of the binary transport: {@link io.engram.query.transport.tcp.codec.BinaryCodec} writes and reads
 * node requests and their replies (layout in its Javadoc), bounded by
 * {@link io.engram.query.transport.tcp.codec.CodecLimits}, failing with a
 * {@link io.engram.query.transport.tcp.codec.CodecException} that names the field.
 */
package io.engram.query.transport.tcp.codec;
