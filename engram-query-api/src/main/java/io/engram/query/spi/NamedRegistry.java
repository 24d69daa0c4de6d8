package io.engram.query.spi;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Names;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Plugins of one kind keyed by their checked name. A duplicate name is rejected when the registry is built, an
 * unknown name when it is looked up, each with a message naming the conflict or listing the known names.
 */
public class NamedRegistry<T extends Named> {
    private final String kind;
    private final Map<String, T> byName;

    /**
     * @param kind what the plugins are, for messages ("merge policy")
     * @param plugins every plugin of that kind; names must be valid and distinct
     */
    public NamedRegistry(String kind, Collection<? extends T> plugins) {
        this.kind = requireNonNull(kind, "kind is null");
        Map<String, T> map = new TreeMap<>();
        for (T plugin : requireNonNull(plugins, "plugins is null")) {
            requireNonNull(plugin, kind + " is null");
            String name = Names.check(kind, plugin.name());
            T previous = map.putIfAbsent(name, plugin);
            if (previous != null) {
                throw new IllegalArgumentException(kind + " '" + name + "' is already registered (by "
                        + previous.getClass().getName() + "; again by "
                        + plugin.getClass().getName() + ")");
            }
        }
        this.byName = Collections.unmodifiableMap(map);
    }

    /** The plugin named {@code name}; throws listing the known names when there is none. */
    public T get(String name) {
        T plugin = name == null ? null : byName.get(name);
        if (plugin != null) {
            return plugin;
        }
        try {
            Names.check(kind, name);
        } catch (IllegalArgumentException e) {
            // A malformed name may come from configuration or a request; the checked message echoes it escaped.
            throw new IllegalArgumentException(e.getMessage() + known());
        }
        throw new IllegalArgumentException("unknown " + kind + " '" + name + "'" + known());
    }

    private String known() {
        return "; known: " + (byName.isEmpty() ? "none" : String.join(", ", byName.keySet()));
    }

    /** The plugin named {@code name}, or empty when there is none (or {@code name} is null). */
    public Optional<T> find(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(byName.get(name));
    }

    /** Known names, sorted. */
    public Collection<String> names() {
        return byName.keySet();
    }

    public Collection<T> all() {
        return byName.values();
    }

    public String kind() {
        return kind;
    }
}
