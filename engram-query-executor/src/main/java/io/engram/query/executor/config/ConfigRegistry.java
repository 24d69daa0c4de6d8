package io.engram.query.executor.config;

import static java.util.Objects.requireNonNull;

import io.engram.query.spi.config.ConfigKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every configuration key of one kind of configuration (a node's, or a host's {@code [query]} section), by section, in
 * the order they are documented. Modules contribute their sections; a key defined twice is refused. From here come
 * {@code config/default.toml} ({@link #toToml}) and the README's table ({@link #markdownTable}).
 */
public final class ConfigRegistry {
    private static final int WIDTH = 116;

    private final List<ConfigSection> sections;
    private final Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();

    private ConfigRegistry(List<ConfigSection> sections) {
        this.sections = List.copyOf(sections);
        Map<String, ConfigSection> sectionsByName = new LinkedHashMap<>();
        for (ConfigSection section : this.sections) {
            if (sectionsByName.put(section.name(), section) != null) {
                throw new IllegalArgumentException("config section [" + section.name() + "] is already registered");
            }
            for (ConfigKey<?> key : section.keys()) {
                if (key.defaultValue().isEmpty() && section.shownValue(key) == null) {
                    throw new IllegalArgumentException("key " + key.name() + " has no default: give an example value");
                }
                if (keys.put(key.name(), key) != null) {
                    throw new IllegalArgumentException("config key " + key.name() + " is already registered");
                }
            }
        }
    }

    public static ConfigRegistry of(List<ConfigSection> sections) {
        return new ConfigRegistry(requireNonNull(sections, "sections is null"));
    }

    public List<ConfigSection> sections() {
        return sections;
    }

    /** Every key, by name, in documentation order. */
    public Map<String, ConfigKey<?>> keys() {
        return java.util.Collections.unmodifiableMap(keys);
    }

    public Optional<ConfigKey<?>> key(String name) {
        return Optional.ofNullable(keys.get(name));
    }

    /**
     * The whole configuration as TOML, each key at its default with its doc above it: {@code header} (comment lines)
     * first, tables that are set only to switch something on, and arrays of tables, commented out.
     */
    public String toToml(String header) {
        StringBuilder out = new StringBuilder();
        wrap(out, "# ", header);
        for (ConfigSection section : sections) {
            out.append('\n');
            switch (section.kind()) {
                case TABLE -> {
                    out.append('[').append(section.name()).append("]\n");
                    wrap(out, "# ", section.doc());
                    for (ConfigKey<?> key : section.keys()) {
                        wrap(out, "# ", key.doc());
                        String line = key.leaf() + " = " + section.shownValue(key);
                        out.append(key.defaultValue().isPresent() ? "" : "# ")
                                .append(line)
                                .append('\n');
                    }
                }
                case OPTIONAL_TABLE, ARRAY_OF_TABLES -> {
                    wrap(out, "# ", section.doc());
                    String table = section.kind() == ConfigSection.Kind.ARRAY_OF_TABLES
                            ? "[[" + section.name() + "]]"
                            : "[" + section.name() + "]";
                    out.append("#   ").append(table).append('\n');
                    for (ConfigKey<?> key : section.keys()) {
                        wrap(out, "#   # ", key.doc());
                        out.append("#   ")
                                .append(key.leaf())
                                .append(" = ")
                                .append(section.shownValue(key))
                                .append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    /** A Markdown table of every key: name, type and allowed values, default, meaning. */
    public String markdownTable() {
        StringBuilder out = new StringBuilder("| Key | Type | Default | Meaning |\n|---|---|---|---|\n");
        for (ConfigSection section : sections) {
            for (ConfigKey<?> key : section.keys()) {
                out.append("| `")
                        .append(key.name())
                        .append("` | ")
                        .append(cell(key.type().description()))
                        .append(" | ")
                        .append(key.defaultValue().isPresent() ? "`" + section.shownValue(key) + "`" : "none")
                        .append(" | ")
                        .append(cell(key.doc()))
                        .append(" |\n");
            }
        }
        return out.toString();
    }

    private static String cell(String text) {
        return text.replace("\n", " ").replace("|", "\\|");
    }

    /** {@code text} as comment lines of at most {@value #WIDTH} characters; a newline in it starts a new line. */
    private static void wrap(StringBuilder out, String prefix, String text) {
        if (text.isBlank()) {
            return;
        }
        for (String paragraph : text.split("\n")) {
            StringBuilder line = new StringBuilder(prefix);
            for (String word : paragraph.split(" ")) {
                if (word.isEmpty()) {
                    continue;
                }
                if (line.length() > prefix.length() && line.length() + 1 + word.length() > WIDTH) {
                    out.append(line).append('\n');
                    line = new StringBuilder(prefix);
                }
                if (line.length() > prefix.length()) {
                    line.append(' ');
                }
                line.append(word);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }

    /** Every key name, for messages and tests. */
    public List<String> names() {
        return new ArrayList<>(keys.keySet());
    }
}
