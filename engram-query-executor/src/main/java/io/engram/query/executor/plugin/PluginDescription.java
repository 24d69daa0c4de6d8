package io.engram.query.executor.plugin;

import static java.util.Objects.requireNonNull;

import io.engram.query.spi.Named;
import io.engram.query.spi.QueryPlugin;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What one loaded plugin is, where it came from and the names it brings: for the start log line and
 * {@code /cluster/health}, so an operator sees which plugins a node runs.
 *
 * @param plugin the plugin's class name
 * @param source {@value #CLASS_PATH}, or the jar or directory of {@code node.plugins_directory} it was loaded from
 */
public record PluginDescription(
        String plugin,
        String source,
        List<String> mergePolicies,
        List<String> consistencyPolicies,
        List<String> planningStrategies,
        List<String> transports) {
    public static final String CLASS_PATH = "class path";

    public PluginDescription {
        requireNonNull(plugin, "plugin is null");
        requireNonNull(source, "source is null");
        mergePolicies = List.copyOf(requireNonNull(mergePolicies, "merge policies is null"));
        consistencyPolicies = List.copyOf(requireNonNull(consistencyPolicies, "consistency policies is null"));
        planningStrategies = List.copyOf(requireNonNull(planningStrategies, "planning strategies is null"));
        transports = List.copyOf(requireNonNull(transports, "transports is null"));
    }

    public static PluginDescription of(QueryPlugin plugin) {
        requireNonNull(plugin, "plugin is null");
        String source = plugin.getClass().getClassLoader() instanceof PluginClassLoader loader
                ? loader.source().toString()
                : CLASS_PATH;
        return new PluginDescription(
                plugin.getClass().getName(),
                source,
                names(plugin, QueryPlugin::mergePolicies),
                names(plugin, QueryPlugin::consistencyPolicies),
                names(plugin, QueryPlugin::planningStrategies),
                names(plugin, QueryPlugin::transportFactories));
    }

    /** One line: {@code com.example.LowestPlugin from /plugins/lowest.jar: merge policies lowest}. */
    public String summary() {
        List<String> brings = new ArrayList<>();
        add(brings, "merge policies", mergePolicies);
        add(brings, "consistency policies", consistencyPolicies);
        add(brings, "planning strategies", planningStrategies);
        add(brings, "transports", transports);
        return plugin + " from " + source + ": " + (brings.isEmpty() ? "nothing" : String.join("; ", brings));
    }

    private static void add(List<String> brings, String kind, List<String> names) {
        if (!names.isEmpty()) {
            brings.add(kind + " " + String.join(", ", names));
        }
    }

    private static List<String> names(QueryPlugin plugin, Function<QueryPlugin, List<? extends Named>> kind) {
        List<? extends Named> brought = kind.apply(plugin);
        if (brought == null) {
            throw new IllegalStateException(
                    "query plugin " + plugin.getClass().getName() + " returned null instead of a list");
        }
        return brought.stream().map(Named::name).toList();
    }
}
