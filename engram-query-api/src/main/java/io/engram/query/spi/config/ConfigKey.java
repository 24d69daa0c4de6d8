package io.engram.query.spi.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One configuration key, defined once: its dotted name ({@code query.max_fanout}; keys of an array of tables are named
 * {@code cluster.nodes[].id}), its type and allowed values, its default and what it means. The host reads, validates,
 * overrides and documents the key from this definition, and a record holding the value checks it with
 * {@link #check(Object)}.
 *
 * @param name the dotted name
 * @param type the type and the allowed values
 * @param defaultValue the value when nothing sets it; empty for a key that must be set, or whose absence means
 *     something of its own (see its doc)
 * @param doc what the key means, one or more sentences (written above the key in {@code config/default.toml})
 * @param <T> the Java type of the value
 */
public record ConfigKey<T>(String name, ValueType<T> type, Optional<T> defaultValue, String doc) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*(\\[])?(\\.[a-z][a-z0-9_]*(\\[])?)*");

    public ConfigKey {
        requireNonNull(name, "name is null");
        if (!NAME.matcher(name).matches() || name.endsWith("[]")) {
            throw new IllegalArgumentException("config key name must be dotted lower-case words, got '" + name + "'");
        }
        requireNonNull(type, "type is null");
        requireNonNull(defaultValue, "default value is null");
        requireNonNull(doc, "doc is null");
        if (doc.isBlank()) {
            throw new IllegalArgumentException("config key " + name + " needs a doc string");
        }
        defaultValue.ifPresent(v -> {
            String problem = type.problemWith(v);
            if (problem != null) {
                throw new IllegalArgumentException("default of " + name + " " + problem);
            }
        });
    }

    /** A key with a default. */
    public static <T> ConfigKey<T> of(String name, ValueType<T> type, T defaultValue, String doc) {
        return new ConfigKey<>(name, type, Optional.of(requireNonNull(defaultValue, "default value is null")), doc);
    }

    /** A key without a default. */
    public static <T> ConfigKey<T> withoutDefault(String name, ValueType<T> type, String doc) {
        return new ConfigKey<>(name, type, Optional.empty(), doc);
    }

    /** The last part of the name: {@code max_fanout} of {@code query.max_fanout}. */
    public String leaf() {
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /** The default; for a key that has none, an {@link IllegalStateException}. */
    public T defaultOrThrow() {
        return defaultValue.orElseThrow(() -> new IllegalStateException(name + " has no default"));
    }

    /**
     * Returns {@code value} when the type allows it, for a record's constructor; otherwise throws naming the key:
     * {@code query.max_fanout must be in [1, 10000], got 0}.
     */
    public T check(T value) {
        String problem = type.problemWith(value);
        if (problem != null) {
            throw new IllegalArgumentException(name + " " + problem);
        }
        return value;
    }

    @Override
    public String toString() {
        return name;
    }
}
