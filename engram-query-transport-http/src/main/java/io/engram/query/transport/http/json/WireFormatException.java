package io.engram.query.transport.http.json;

/**
 * A message that does not follow the wire format: malformed JSON, an unknown or missing field, a value of the wrong
 * type or out of range. The message names the field and is safe to send back to the sender: it never holds a Java
 * class name or a stack trace.
 */
public final class WireFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WireFormatException(String message) {
        super(message, null, false, false);
    }
}
