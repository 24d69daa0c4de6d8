package io.engram.query.api;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks behind {@link Query#checkDistinct}: a list of ids of a size in [min, max], no nulls, no repeats. Plans
 * check the replicas of every target and every space of a broadcast, so the check allocates nothing for short lists
 * and builds a field's name only for an error.
 */
final class DistinctEntries {
    /** Up to this many entries, pairs are compared instead of hashing into a set. */
    private static final int PAIRWISE_UP_TO = 8;

    private DistinctEntries() {}

    /** Copies {@code values} after the checks; the field is named {@code fieldPrefix + fieldSubject} in errors. */
    static <T> List<T> check(String fieldPrefix, Object fieldSubject, List<T> values, int min, int max) {
        if (values == null) {
            throw new IllegalArgumentException(fieldPrefix + fieldSubject + " is null");
        }
        if (values.size() < min || values.size() > max) {
            throw new IllegalArgumentException(
                    fieldPrefix + fieldSubject + " must have " + min + " to " + max + " entries, got " + values.size());
        }
        int repeated = firstRepeated(values);
        if (repeated >= 0) {
            T value = values.get(repeated);
            if (value == null) {
                throw new IllegalArgumentException(fieldPrefix + fieldSubject + " must not contain null");
            }
            throw new IllegalArgumentException(
                    fieldPrefix + fieldSubject + " must not repeat an entry, got '" + value + "' twice");
        }
        return List.copyOf(values);
    }

    /**
     * The index of the first entry that is {@code null} or equal to an earlier one, or -1: the entry a walk adding
     * each to a hash set would stop at.
     */
    static int firstRepeated(List<?> values) {
        int size = values.size();
        if (size <= PAIRWISE_UP_TO) {
            for (int i = 0; i < size; i++) {
                Object value = values.get(i);
                if (value == null) {
                    return i;
                }
                for (int j = 0; j < i; j++) {
                    if (value.equals(values.get(j))) {
                        return i;
                    }
                }
            }
            return -1;
        }
        Set<Object> seen = new HashSet<>(Math.max(16, (int) (size / 0.75f) + 1));
        for (int i = 0; i < size; i++) {
            Object value = values.get(i);
            if (value == null || !seen.add(value)) {
                return i;
            }
        }
        return -1;
    }
}
