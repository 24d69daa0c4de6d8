package io.engram.query.transport.http.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.engram.query.api.Printable;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;

/**
 * The streaming counterpart of {@link StrictObject}: reads the value the parser is on with the same type checks and
 * the same messages ({@code matches[2].confidence must be a number, got a string}), without building a tree.
 *
 * <p>A value's place is given as {@code (parent, index, field)} and turned into a path only for a message, so that
 * reading a valid message builds no path strings. {@code null} counts as absent, as in {@link StrictObject}.
 */
final class StrictStream {
    private final JsonParser parser;

    StrictStream(JsonParser parser) {
        this.parser = parser;
    }

    /** The path of a value: {@code parent[index].field}; {@code index < 0} and {@code field == null} leave parts out. */
    static String path(String parent, int index, String field) {
        StringBuilder out = new StringBuilder(parent);
        if (index >= 0) {
            out.append('[').append(index).append(']');
        }
        if (field != null) {
            if (out.length() > 0) {
                out.append('.');
            }
            out.append(field);
        }
        return out.toString();
    }

    JsonParser parser() {
        return parser;
    }

    boolean bool(String parent, int index, String field) throws IOException {
        JsonToken token = parser.currentToken();
        if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
            throw new WireFormatException(path(parent, index, field) + " must be true or false, got " + describe());
        }
        return token == JsonToken.VALUE_TRUE;
    }

    boolean isString() {
        return parser.currentToken() == JsonToken.VALUE_STRING;
    }

    boolean isNumber() {
        return parser.currentToken().isNumeric();
    }

    /** The current string value. */
    String text() throws IOException {
        return parser.getText();
    }

    /** The current number value. */
    double doubleValue() throws IOException {
        return parser.getDoubleValue();
    }

    /** Skips the current value's children when it is an object or an array. */
    void skipChildren() throws IOException {
        parser.skipChildren();
    }

    boolean isNull() {
        return parser.currentToken() == JsonToken.VALUE_NULL;
    }

    /** Checks that the current value is an object; {@code body} stands for the top level in the message. */
    void requireObject(String parent, int index, String field) throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            String path = path(parent, index, field);
            throw new WireFormatException((path.isEmpty() ? "body" : path) + " must be an object, got " + describe());
        }
    }

    /** Moves to the value of the object's next field and returns its name; {@code null} at the end of the object. */
    String nextField() throws IOException {
        JsonToken token = next();
        if (token == JsonToken.END_OBJECT) {
            return null;
        }
        String name = parser.currentName();
        next();
        return name;
    }

    /** Moves to the next element of an array; {@code false} at its end. */
    boolean nextElement() throws IOException {
        return next() != JsonToken.END_ARRAY;
    }

    JsonToken next() throws IOException {
        JsonToken token = parser.nextToken();
        if (token == null) {
            throw new JsonEOFException(parser, null, "Unexpected end-of-input");
        }
        return token;
    }

    static WireFormatException unknownField(String name, String context, List<String> known) {
        return new WireFormatException(
                "unknown field '" + Printable.of(name) + "' in " + context + "; known: " + String.join(", ", known));
    }

    /**
     * Marks known field number {@code field} of an object as seen in {@code seen} (a bit per field of the object's
     * short list of known fields) and returns the new set; a field already seen is a duplicate. This replaces the
     * parser's duplicate detection, which keeps a hash set per object, on the streaming read paths.
     */
    static int mark(int seen, int field, String parent, int index, String name) {
        int bit = 1 << field;
        if ((seen & bit) != 0) {
            throw duplicateField(parent, index, name);
        }
        return seen | bit;
    }

    /**
     * A duplicate field. {@link WireFormat} reports a body with a duplicate field with the parser's own message (it
     * reads the body again with the parser's detection on, as for any error); this one stands if that did not
     * happen.
     */
    static WireFormatException duplicateField(String parent, int index, String field) {
        return new WireFormatException("duplicate field '" + path(parent, index, field) + "'");
    }

    /** {@link QueryCodec#named}'s error for the value at {@code parent[index].field} that a value type refused. */
    static WireFormatException refused(String parent, int index, String field, RuntimeException e) {
        return new WireFormatException(path(parent, index, field) + ": " + e.getMessage());
    }

    /** {@link QueryCodec#api}'s error for a record that refused its components. */
    static WireFormatException refused(RuntimeException e) {
        return new WireFormatException(String.valueOf(e.getMessage()));
    }

    static WireFormatException missingField(String parent, int index, String field) {
        return new WireFormatException("missing field '" + path(parent, index, field) + "'");
    }

    /** Checks that the current value is an array, for a caller that reads its elements with {@link #nextElement}. */
    void requireArray(String parent, int index, String field) throws IOException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw new WireFormatException(path(parent, index, field) + " must be an array, got " + describe());
        }
    }

    /**
     * The error for an array with more than {@code maxLength} elements, the parser being on element {@code
     * maxLength}: counts the rest (without keeping them) so that the message gives the length, as the tree did.
     */
    WireFormatException tooLong(String path, int maxLength) throws IOException {
        long count = maxLength;
        do {
            parser.skipChildren();
            count++;
        } while (nextElement());
        return new WireFormatException(path + " must have at most " + maxLength + " entries, got " + count);
    }

    String string(String parent, int index, String field) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw new WireFormatException(path(parent, index, field) + " must be a string, got " + describe());
        }
        return parser.getText();
    }

    double number(String parent, int index, String field) throws IOException {
        if (!parser.currentToken().isNumeric()) {
            throw new WireFormatException(path(parent, index, field) + " must be a number, got " + describe());
        }
        return parser.getDoubleValue();
    }

    int integer(String parent, int index, String field) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new WireFormatException(path(parent, index, field) + " must be an integer, got " + describe());
        }
        JsonParser.NumberType type = parser.getNumberType();
        if (type == JsonParser.NumberType.INT) {
            return parser.getIntValue();
        }
        if (type == JsonParser.NumberType.LONG) {
            long value = parser.getLongValue();
            if (value == (int) value) {
                return (int) value;
            }
        } else {
            BigInteger value = parser.getBigIntegerValue();
            if (value.bitLength() <= 31) {
                return value.intValue();
            }
        }
        throw new WireFormatException(
                path(parent, index, field) + " must be a 32-bit integer, got " + parser.getNumberValue());
    }

    long longInteger(String parent, int index, String field) throws IOException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw new WireFormatException(path(parent, index, field) + " must be an integer, got " + describe());
        }
        if (parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return parser.getLongValue();
        }
        BigInteger value = parser.getBigIntegerValue();
        if (value.bitLength() <= 63) {
            return value.longValue();
        }
        throw new WireFormatException(path(parent, index, field) + " must be a 64-bit integer, got " + value);
    }

    /** The JSON type of the current value, for messages; the value itself only for numbers (as the tree prints it). */
    String describe() throws IOException {
        JsonToken token = parser.currentToken();
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case VALUE_NULL -> "null";
            case VALUE_STRING -> "a string";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_EMBEDDED_OBJECT -> parser.getEmbeddedObject() instanceof byte[] ? "binary data" : "an object";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> numberText();
            default -> "a " + token.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** The current number as the tree model printed it: its own type's {@code toString}. */
    String numberText() throws IOException {
        if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT) {
            return parser.getNumberValue().toString();
        }
        return switch (parser.getNumberTypeFP()) {
            case BIG_DECIMAL -> parser.getDecimalValue().toString();
            case FLOAT32 -> Float.toString(parser.getFloatValue());
            default -> Double.toString(parser.getDoubleValue());
        };
    }
}
