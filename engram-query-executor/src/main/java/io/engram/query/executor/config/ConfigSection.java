package io.engram.query.executor.config;

import static java.util.Objects.requireNonNull;

import io.engram.query.spi.config.ConfigKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One TOML table of keys, as {@code config/default.toml} and the README show it.
 *
 * @param name the table's name ({@code query.retry}); keys are named {@code <name>.<leaf>}, or
 *     {@code <name>[].<leaf>} in an array of tables
 * @param kind whether the table is always there, there only when set, or an array of tables
 * @param doc what the table is for; empty when its keys say it all
 * @param keys its keys, in the order they are documented
 * @param examples TOML values shown for keys without a default, by key name
 */
public record ConfigSection(String name, Kind kind, String doc, List<ConfigKey<?>> keys, Map<String, String> examples) {
    /** How a table appears in a configuration. */
    public enum Kind {
        /** Always there: every key has a default (or is required). */
        TABLE,
        /** Set only to switch something on ({@code [engine.synthetic]}): shown commented out. */
        OPTIONAL_TABLE,
        /** {@code [[cluster.nodes]]}: shown commented out, one example entry. */
        ARRAY_OF_TABLES
    }

    public ConfigSection {
        requireNonNull(name, "name is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(doc, "doc is null");
        keys = List.copyOf(keys);
        examples = Map.copyOf(examples);
        String prefix = kind == Kind.ARRAY_OF_TABLES ? name + "[]." : name + ".";
        for (ConfigKey<?> key : keys) {
            if (!key.name().startsWith(prefix) || key.name().indexOf('.', prefix.length()) >= 0) {
                throw new IllegalArgumentException(
                        "key " + key.name() + " does not belong to section [" + name + "] (" + prefix + "*)");
            }
        }
    }

    /** A table that is always there. */
    public static ConfigSection table(String name, String doc, ConfigKey<?>... keys) {
        return new ConfigSection(name, Kind.TABLE, doc, List.of(keys), Map.of());
    }

    /** A table that switches something on when it is set. */
    public static ConfigSection optionalTable(String name, String doc, ConfigKey<?>... keys) {
        return new ConfigSection(name, Kind.OPTIONAL_TABLE, doc, List.of(keys), Map.of());
    }

    /** An array of tables. */
    public static ConfigSection arrayOfTables(String name, String doc, ConfigKey<?>... keys) {
        return new ConfigSection(name, Kind.ARRAY_OF_TABLES, doc, List.of(keys), Map.of());
    }

    /** This section with {@code toml} as the value shown for {@code key}, which has no default. */
    public ConfigSection withExample(ConfigKey<?> key, String toml) {
        Map<String, String> more = new LinkedHashMap<>(examples);
        more.put(key.name(), toml);
        return new ConfigSection(name, kind, doc, keys, more);
    }

    /** The TOML value written for {@code key}: its default, or its example. */
    @SuppressWarnings("unchecked")
    String shownValue(ConfigKey<?> key) {
        Optional<?> defaultValue = key.defaultValue();
        if (defaultValue.isPresent()) {
            return ((ConfigKey<Object>) key).type().toToml(defaultValue.get());
        }
        return examples.get(key.name());
    }
}
