package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Pattern completion: given part of an embedding and some known fields, returns the memories that best complete it.
 * Confidence combines the similarity over the known dimensions with the share of known fields matched exactly.
 *
 * @param spaces the spaces to search (usually one); empty means every space
 * @param partialEmbedding the known dimensions, if any
 * @param knownFields field values a completion must match, at most 64, keys and values at most 256 characters
 * @param options limit, timeout, consistency, merge policy
 */
public record CompleteQuery(
        List<MemorySpaceId> spaces,
        Optional<PartialEmbedding> partialEmbedding,
        Map<String, String> knownFields,
        QueryOptions options)
        implements Query {
    public static final int MAX_FIELDS = 64;
    public static final int MAX_FIELD_LENGTH = 256;

    public CompleteQuery {
        spaces = Query.checkSpaces(spaces);
        requireNonNull(partialEmbedding, "partial embedding is null");
        if (knownFields == null) {
            throw new IllegalArgumentException("known fields is null");
        }
        if (knownFields.size() > MAX_FIELDS) {
            throw new IllegalArgumentException(
                    "known fields must have at most " + MAX_FIELDS + " entries, got " + knownFields.size());
        }
        Map<String, String> copy = new LinkedHashMap<>();
        knownFields.forEach((k, v) -> {
            if (k == null) {
                throw new IllegalArgumentException("known field names must not be null");
            }
            if (k.isEmpty() || k.length() > MAX_FIELD_LENGTH) {
                throw new IllegalArgumentException(
                        "known field names must have 1 to " + MAX_FIELD_LENGTH + " characters, got " + k.length());
            }
            if (v == null) {
                throw new IllegalArgumentException("known field '" + Printable.of(k) + "' has a null value");
            }
            if (v.length() > MAX_FIELD_LENGTH) {
                throw new IllegalArgumentException("known field '" + Printable.of(k) + "' must have a value of at most "
                        + MAX_FIELD_LENGTH + " characters, got " + v.length());
            }
            copy.put(k, v);
        });
        knownFields = java.util.Collections.unmodifiableMap(copy);
        if (partialEmbedding.isEmpty() && knownFields.isEmpty()) {
            throw new IllegalArgumentException("complete needs a partial embedding, known fields, or both");
        }
        requireNonNull(options, "options is null");
    }

    @Override
    public QueryType type() {
        return QueryType.COMPLETE;
    }
}
