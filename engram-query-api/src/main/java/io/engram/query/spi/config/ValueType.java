package io.engram.query.spi.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The type and the allowed values of a {@link ConfigKey}: how a raw value is read (a TOML value as a {@code Long},
 * {@code Double}, {@code Boolean}, {@code String} or {@code List}, or the text of an environment or {@code -D}
 * override), what is allowed, and how a value is written back as TOML (for {@code config/default.toml}).
 *
 * @param <T> the Java type of the value
 */
public final class ValueType<T> {
    private final String description;
    private final Function<Object, T> parse;
    private final Function<T, String> check;
    private final Function<T, String> toml;

    private ValueType(
            String description, Function<Object, T> parse, Function<T, String> check, Function<T, String> toml) {
        this.description = description;
        this.parse = parse;
        this.check = check;
        this.toml = toml;
    }

    /** What is allowed, for documentation: {@code integer in [1, 10000]}. */
    public String description() {
        return description;
    }

    /**
     * Reads and checks {@code raw}.
     *
     * @throws IllegalArgumentException saying what was wrong and what is allowed, without the key's name:
     *     {@code must be in [1, 10000], got 0}
     */
    public T parse(Object raw) {
        T value = parse.apply(requireNonNull(raw, "raw is null"));
        String problem = check.apply(value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return value;
    }

    /** The problem with {@code value} ({@code must be in [1, 10000], got 0}), or null when it is allowed. */
    public String problemWith(T value) {
        return value == null ? "must not be null" : check.apply(value);
    }

    /** {@code value} as a TOML value. */
    public String toToml(T value) {
        return toml.apply(value);
    }

    /** An integer in [min, max]. */
    public static ValueType<Integer> integer(int min, int max) {
        return new ValueType<>(
                "integer in [" + min + ", " + max + "]",
                raw -> (int) parseLong(raw),
                v -> v < min || v > max ? "must be in [" + min + ", " + max + "], got " + v : null,
                String::valueOf);
    }

    /** A long in [min, max]. */
    public static ValueType<Long> longInteger(long min, long max) {
        return new ValueType<>(
                min == Long.MIN_VALUE && max == Long.MAX_VALUE ? "integer" : "integer in [" + min + ", " + max + "]",
                ValueType::parseLong,
                v -> v < min || v > max ? "must be in [" + min + ", " + max + "], got " + v : null,
                String::valueOf);
    }

    /** Milliseconds in [min, max], as a {@link Duration}. */
    public static ValueType<Duration> millis(long min, long max) {
        return new ValueType<>(
                "milliseconds in [" + min + ", " + max + "]",
                raw -> Duration.ofMillis(parseLong(raw)),
                v -> v.toMillis() < min || v.toMillis() > max
                        ? "must be in [" + min + ", " + max + "], got " + v.toMillis()
                        : null,
                v -> String.valueOf(v.toMillis()));
    }

    /** A finite number in [min, max]. */
    public static ValueType<Double> decimal(double min, double max) {
        return new ValueType<>(
                "number in [" + min + ", " + max + "]",
                ValueType::parseDouble,
                v -> !(v >= min && v <= max) ? "must be in [" + min + ", " + max + "], got " + v : null,
                String::valueOf);
    }

    /** {@code true} or {@code false}. */
    public static ValueType<Boolean> bool() {
        return new ValueType<>(
                "true or false",
                raw -> {
                    if (raw instanceof Boolean b) {
                        return b;
                    }
                    String text = raw.toString().trim().toLowerCase(Locale.ROOT);
                    if (text.equals("true") || text.equals("false")) {
                        return Boolean.parseBoolean(text);
                    }
                    throw new IllegalArgumentException("must be true or false, got " + render(raw));
                },
                v -> null,
                String::valueOf);
    }

    /** Any string (a number or a boolean given for it reads as its text). */
    public static ValueType<String> string() {
        return new ValueType<>(
                "string",
                raw -> {
                    if (raw instanceof List<?> || raw instanceof java.util.Map<?, ?>) {
                        throw new IllegalArgumentException("must be a string, got " + render(raw));
                    }
                    return raw.toString();
                },
                v -> null,
                ValueType::quote);
    }

    /** One of {@code allowed}, compared as given. */
    public static ValueType<String> choice(List<String> allowed) {
        List<String> values = List.copyOf(allowed);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a choice needs at least one allowed value");
        }
        return new ValueType<>(
                "one of " + String.join(", ", values),
                raw -> raw.toString(),
                v -> values.contains(v) ? null : "must be one of " + String.join(", ", values) + ", got '" + v + "'",
                ValueType::quote);
    }

    /** A list of strings: a TOML array, or a comma-separated override. */
    public static ValueType<List<String>> stringList() {
        return new ValueType<>(
                "array of strings",
                raw -> {
                    List<String> out = new ArrayList<>();
                    if (raw instanceof List<?> list) {
                        for (Object item : list) {
                            if (item == null || item instanceof List<?> || item instanceof java.util.Map<?, ?>) {
                                throw new IllegalArgumentException("must be an array of strings, got " + render(raw));
                            }
                            out.add(item.toString());
                        }
                    } else if (raw instanceof String text) {
                        for (String part : text.split(",")) {
                            if (!part.isBlank()) {
                                out.add(part.trim());
                            }
                        }
                    } else {
                        throw new IllegalArgumentException("must be an array of strings, got " + render(raw));
                    }
                    return List.copyOf(out);
                },
                v -> null,
                v -> "[" + String.join(", ", v.stream().map(ValueType::quote).toList()) + "]");
    }

    private static long parseLong(Object raw) {
        if (raw instanceof Long || raw instanceof Integer) {
            return ((Number) raw).longValue();
        }
        if (raw instanceof String text) {
            try {
                return Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be an integer, got '" + text + "'");
            }
        }
        throw new IllegalArgumentException("must be an integer, got " + render(raw));
    }

    private static double parseDouble(Object raw) {
        if (raw instanceof Number n) {
            return n.doubleValue();
        }
        if (raw instanceof String text) {
            try {
                return Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("must be a number, got '" + text + "'");
            }
        }
        throw new IllegalArgumentException("must be a number, got " + render(raw));
    }

    /** A raw value as it would read in TOML, for messages. */
    static String render(Object raw) {
        if (raw instanceof String s) {
            return quote(s);
        }
        if (raw instanceof List<?> list) {
            return "[" + String.join(", ", list.stream().map(ValueType::render).toList()) + "]";
        }
        if (raw instanceof java.util.Map<?, ?> map) {
            return "{"
                    + String.join(
                            ", ",
                            map.entrySet().stream()
                                    .map(e -> e.getKey() + " = " + render(e.getValue()))
                                    .toList())
                    + "}";
        }
        return String.valueOf(raw);
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }

    @Override
    public String toString() {
        return description;
    }
}
