package io.engram.query.executor.plugin;

import static java.util.Objects.requireNonNull;

import io.engram.query.spi.ConsistencyPolicy;
import io.engram.query.spi.MergePolicy;
import io.engram.query.spi.PlanningStrategy;
import io.engram.query.spi.QueryPlugin;
import io.engram.query.spi.TransportFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Every plugin of a node, whether discovered or bound by the host, with what each brings. The same plugin class
 * found twice (bound by the host and also listed in {@code META-INF/services}) counts once; two different plugins
 * bringing the same name are rejected by the registries built from this catalog.
 */
public final class PluginCatalog {
    private final List<QueryPlugin> plugins;

    public PluginCatalog(Collection<? extends QueryPlugin> plugins) {
        Map<Class<?>, QueryPlugin> byClass = new LinkedHashMap<>();
        for (QueryPlugin plugin : requireNonNull(plugins, "plugins is null")) {
            byClass.putIfAbsent(requireNonNull(plugin, "plugin is null").getClass(), plugin);
        }
        this.plugins = List.copyOf(byClass.values());
    }

    public List<QueryPlugin> plugins() {
        return plugins;
    }

    /** What each plugin is, where it came from and what it brings, in the catalog's order. */
    public List<PluginDescription> descriptions() {
        return plugins.stream().map(PluginDescription::of).toList();
    }

    public List<PlanningStrategy> planningStrategies() {
        return collect(QueryPlugin::planningStrategies);
    }

    public List<MergePolicy> mergePolicies() {
        return collect(QueryPlugin::mergePolicies);
    }

    public List<ConsistencyPolicy> consistencyPolicies() {
        return collect(QueryPlugin::consistencyPolicies);
    }

    public List<TransportFactory> transportFactories() {
        return collect(QueryPlugin::transportFactories);
    }

    private <T> List<T> collect(Function<QueryPlugin, List<T>> kind) {
        List<T> out = new ArrayList<>();
        for (QueryPlugin plugin : plugins) {
            List<T> brought = kind.apply(plugin);
            if (brought == null) {
                throw new IllegalStateException(
                        "query plugin " + plugin.getClass().getName() + " returned null instead of a list");
            }
            out.addAll(brought);
        }
        return out;
    }
}
