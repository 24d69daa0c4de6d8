/**
 * The binary node-to-node transport ({@code transport.type = "tcp"}): one persistent Netty channel per peer,
 * length-prefixed frames multiplexed by request id, a handshake per connection that carries the protocol version and
 * the cluster token, and a codec made for the data (raw little-endian floats, length-prefixed UTF-8).
 */
package io.engram.query.transport.tcp;
