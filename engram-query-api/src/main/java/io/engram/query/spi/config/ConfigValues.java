package io.engram.query.spi.config;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Validated values by key, as the host read them: a transport gets its settings typed from here and parses nothing
 * again. A value is checked by its key when it is put, so every value held is one its key allows; a key without a
 * value reads as its default.
 */
public final class ConfigValues {
    private static final ConfigValues EMPTY = new ConfigValues(Map.of());

    private final Map<ConfigKey<?>, Object> values;

    private ConfigValues(Map<ConfigKey<?>, Object> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** No values: every key reads as its default. */
    public static ConfigValues empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The value of {@code key}, or its default. */
    @SuppressWarnings("unchecked") // put(ConfigKey<T>, T) is the only way in
    public <T> T get(ConfigKey<T> key) {
        Object value = values.get(requireNonNull(key, "key is null"));
        return value != null ? (T) value : key.defaultOrThrow();
    }

    /** Whether a value was put for {@code key}. */
    public boolean has(ConfigKey<?> key) {
        return values.containsKey(key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfigValues other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("{");
        values.forEach((key, value) -> out.append(out.length() > 1 ? ", " : "")
                .append(key.name())
                .append('=')
                .append(value));
        return out.append('}').toString();
    }

    /** Collects values, each checked by its key. */
    public static final class Builder {
        private final Map<ConfigKey<?>, Object> values = new LinkedHashMap<>();

        private Builder() {}

        /** Sets {@code key} to {@code value}; a value its key does not allow is refused naming the key. */
        public <T> Builder put(ConfigKey<T> key, T value) {
            values.put(requireNonNull(key, "key is null"), key.check(requireNonNull(value, "value is null")));
            return this;
        }

        public ConfigValues build() {
            return new ConfigValues(values);
        }
    }
}
