package io.engram.query.executor.plugin;

import static java.util.Objects.requireNonNull;

import io.engram.query.spi.QueryPlugin;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds {@link QueryPlugin}s with {@link ServiceLoader}: on a class path, or in a plugin directory where each plugin
 * has a {@link PluginClassLoader} of its own.
 */
public final class PluginLoader {
    private PluginLoader() {}

    /** Plugins listed in {@code META-INF/services/io.engram.query.spi.QueryPlugin} visible to {@code loader}. */
    public static List<QueryPlugin> fromClassPath(ClassLoader loader) {
        requireNonNull(loader, "loader is null");
        try {
            return discover(loader);
        } catch (ServiceConfigurationError | LinkageError e) {
            throw new IllegalStateException("can not load a query plugin: " + describe(e), e);
        }
    }

    /**
     * Plugins in {@code directory}; a missing directory has none. Each jar directly in it is one plugin, and each
     * subdirectory is one plugin made of the jars in it (the plugin's jar and its dependencies). Each plugin gets its
     * own {@link PluginClassLoader}: it sees the JDK, the {@code io.engram.query.api} and {@code .spi} classes of
     * {@code spiLoader}, and its own jars; not the rest of the application, nor another plugin.
     *
     * <p>The class loader of a jar or directory that brings no plugin is closed. The others live as long as their
     * plugins: nothing here closes them.
     *
     * @throws IllegalStateException naming the jar or directory, when a jar can not be opened or a plugin can not be
     *     loaded; the class loaders this call made are closed first
     */
    public static List<QueryPlugin> fromDirectory(Path directory, ClassLoader spiLoader) {
        requireNonNull(directory, "directory is null");
        requireNonNull(spiLoader, "spiLoader is null");
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        List<QueryPlugin> plugins = new ArrayList<>();
        List<PluginClassLoader> kept = new ArrayList<>();
        try {
            for (Path source : list(directory)) {
                List<Path> jars = jarsOf(source);
                if (jars.isEmpty()) {
                    continue;
                }
                PluginClassLoader loader = new PluginClassLoader(source, urls(jars), spiLoader);
                List<QueryPlugin> found;
                try {
                    found = load(loader);
                } catch (RuntimeException | Error e) {
                    closeAfter(loader, e);
                    throw e;
                }
                if (found.isEmpty()) {
                    close(loader);
                } else {
                    kept.add(loader);
                    plugins.addAll(found);
                }
            }
        } catch (RuntimeException | Error e) {
            kept.forEach(loader -> closeAfter(loader, e));
            throw e;
        }
        return List.copyOf(plugins);
    }

    private static List<QueryPlugin> discover(ClassLoader loader) {
        List<QueryPlugin> plugins = new ArrayList<>();
        for (QueryPlugin plugin : ServiceLoader.load(QueryPlugin.class, loader)) {
            plugins.add(plugin);
        }
        return plugins;
    }

    /** Instantiates the plugins of one loader, with it as the thread's context loader as trino does. */
    private static List<QueryPlugin> load(PluginClassLoader loader) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return discover(loader);
        } catch (ServiceConfigurationError | LinkageError e) {
            throw new IllegalStateException(
                    "can not load a query plugin from " + loader.source() + ": " + describe(e), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** A one-line reason: a {@link ServiceConfigurationError}'s own message hides why a provider failed. */
    private static String describe(Throwable e) {
        if (e instanceof LinkageError) {
            return e.toString();
        }
        return e.getCause() == null ? e.getMessage() : e.getMessage() + ": " + e.getCause();
    }

    private static List<Path> list(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("can not list plugin directory " + directory + ": " + e.getMessage(), e);
        }
    }

    /** A plugin's jars: a jar alone, or the jars directly in a directory; nothing for any other file. */
    private static List<Path> jarsOf(Path source) {
        if (Files.isDirectory(source)) {
            return list(source).stream().filter(PluginLoader::isJar).toList();
        }
        return isJar(source) ? List.of(source) : List.of();
    }

    private static boolean isJar(Path file) {
        return Files.isRegularFile(file) && file.getFileName().toString().endsWith(".jar");
    }

    /** Opens each jar once, because a class loader silently skips a jar it can not open. */
    private static List<URL> urls(List<Path> jars) {
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            try {
                new JarFile(jar.toFile()).close();
                urls.add(jar.toUri().toURL());
            } catch (IOException e) {
                throw new IllegalStateException("can not open plugin jar " + jar + ": " + e.getMessage(), e);
            }
        }
        return urls;
    }

    private static void close(PluginClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            throw new IllegalStateException(
                    "can not close the class loader of plugin " + loader.source() + ": " + e.getMessage(), e);
        }
    }

    private static void closeAfter(PluginClassLoader loader, Throwable failure) {
        try {
            close(loader);
        } catch (IllegalStateException e) {
            failure.addSuppressed(e);
        }
    }
}
