package io.engram.query.transport.http.json;

import com.fasterxml.jackson.databind.JsonNode;
import io.engram.query.api.Printable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON object read strictly: a field it does not know is an error listing the known ones, and every accessor
 * checks the JSON type and names the field ({@code cue.embedding}, {@code matches[2].confidence}) in its errors.
 * {@code null} counts as absent.
 */
final class StrictObject {
    private final JsonNode node;
    private final String path;

    private StrictObject(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /**
     * @param node the value, which must be an object
     * @param path where it is, for messages ({@code ""} for the top level)
     * @param context what it is, for the unknown-field message ({@code query}, {@code cue})
     * @param known the fields it may have, in the order to list them
     */
    static StrictObject of(JsonNode node, String path, String context, List<String> known) {
        if (node == null || !node.isObject()) {
            throw new WireFormatException(
                    (path.isEmpty() ? "body" : path) + " must be an object, got " + describe(node));
        }
        Set<String> knownSet = Set.copyOf(known);
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!knownSet.contains(name)) {
                throw new WireFormatException("unknown field '" + Printable.of(name) + "' in " + context + "; known: "
                        + String.join(", ", known));
            }
        }
        return new StrictObject(node, path);
    }

    String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    Optional<JsonNode> optional(String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    JsonNode required(String field) {
        return optional(field).orElseThrow(() -> new WireFormatException("missing field '" + path(field) + "'"));
    }

    Optional<String> string(String field) {
        return optional(field).map(v -> asString(v, path(field)));
    }

    String requiredString(String field) {
        return asString(required(field), path(field));
    }

    Optional<Integer> integer(String field) {
        return optional(field).map(v -> asInt(v, path(field)));
    }

    int requiredInteger(String field) {
        return asInt(required(field), path(field));
    }

    Optional<Long> longInteger(String field) {
        return optional(field).map(v -> asLong(v, path(field)));
    }

    long requiredLong(String field) {
        return asLong(required(field), path(field));
    }

    Optional<Double> number(String field) {
        return optional(field).map(v -> asDouble(v, path(field)));
    }

    double requiredNumber(String field) {
        return asDouble(required(field), path(field));
    }

    Optional<Boolean> bool(String field) {
        return optional(field).map(v -> {
            if (!v.isBoolean()) {
                throw new WireFormatException(path(field) + " must be true or false, got " + describe(v));
            }
            return v.booleanValue();
        });
    }

    /** The array's elements; at most {@code maxLength} of them. */
    Optional<List<JsonNode>> array(String field, int maxLength) {
        return optional(field).map(v -> asArray(v, path(field), maxLength));
    }

    Optional<JsonNode> object(String field) {
        return optional(field).map(v -> {
            if (!v.isObject()) {
                throw new WireFormatException(path(field) + " must be an object, got " + describe(v));
            }
            return v;
        });
    }

    static List<JsonNode> asArray(JsonNode value, String path, int maxLength) {
        if (!value.isArray()) {
            throw new WireFormatException(path + " must be an array, got " + describe(value));
        }
        if (value.size() > maxLength) {
            throw new WireFormatException(path + " must have at most " + maxLength + " entries, got " + value.size());
        }
        List<JsonNode> elements = new ArrayList<>(value.size());
        value.elements().forEachRemaining(elements::add);
        return elements;
    }

    static String asString(JsonNode value, String path) {
        if (!value.isTextual()) {
            throw new WireFormatException(path + " must be a string, got " + describe(value));
        }
        return value.textValue();
    }

    static int asInt(JsonNode value, String path) {
        if (!value.isIntegralNumber()) {
            throw new WireFormatException(path + " must be an integer, got " + describe(value));
        }
        if (!value.canConvertToInt()) {
            throw new WireFormatException(path + " must be a 32-bit integer, got " + value.asText());
        }
        return value.intValue();
    }

    static long asLong(JsonNode value, String path) {
        if (!value.isIntegralNumber()) {
            throw new WireFormatException(path + " must be an integer, got " + describe(value));
        }
        if (!value.canConvertToLong()) {
            throw new WireFormatException(path + " must be a 64-bit integer, got " + value.asText());
        }
        return value.longValue();
    }

    static double asDouble(JsonNode value, String path) {
        if (!value.isNumber()) {
            throw new WireFormatException(path + " must be a number, got " + describe(value));
        }
        return value.doubleValue();
    }

    /** The JSON type of a value, for messages; the value itself only for numbers. */
    static String describe(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "nothing";
        }
        switch (value.getNodeType()) {
            case NULL:
                return "null";
            case STRING:
                return "a string";
            case BOOLEAN:
                return "a boolean";
            case ARRAY:
                return "an array";
            case OBJECT:
            case POJO:
                return "an object";
            case BINARY:
                return "binary data";
            case NUMBER:
                return value.asText();
            default:
                return "a " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
