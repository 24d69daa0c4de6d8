package io.engram.query.executor.plugin;

import static java.util.Objects.requireNonNull;

import io.engram.query.spi.QueryPlugin;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Finds {@link QueryPlugin}s with {@link ServiceLoader}: on a class path, or in a plugin directory whose jars share
 * one class loader of their own (a child of the application's).
 */
public final class PluginLoader {
    private PluginLoader() {}

    /** Plugins listed in {@code META-INF/services/io.engram.query.spi.QueryPlugin} visible to {@code loader}. */
    public static List<QueryPlugin> fromClassPath(ClassLoader loader) {
        requireNonNull(loader, "loader is null");
        List<QueryPlugin> plugins = new ArrayList<>();
        try {
            for (QueryPlugin plugin : ServiceLoader.load(QueryPlugin.class, loader)) {
                plugins.add(plugin);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("can not load a query plugin: " + e.getMessage(), e);
        }
        return plugins;
    }

    /**
     * Plugins in the jars of {@code directory}; a missing directory has none. Only plugins whose class was loaded from
     * those jars are returned (the parent's own plugins are found by {@link #fromClassPath}).
     */
    public static List<QueryPlugin> fromDirectory(Path directory, ClassLoader parent) {
        requireNonNull(directory, "directory is null");
        requireNonNull(parent, "parent is null");
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<URL> jars = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path jar : files.filter(p -> p.getFileName().toString().endsWith(".jar"))
                    .sorted()
                    .toList()) {
                jars.add(jar.toUri().toURL());
            }
        } catch (IOException e) {
            throw new IllegalStateException("can not list plugin directory " + directory + ": " + e.getMessage(), e);
        }
        if (jars.isEmpty()) {
            return List.of();
        }
        URLClassLoader loader =
                new URLClassLoader("engram-query-plugins:" + directory.getFileName(), jars.toArray(URL[]::new), parent);
        return fromClassPath(loader).stream()
                .filter(p -> p.getClass().getClassLoader() == loader)
                .toList();
    }
}
