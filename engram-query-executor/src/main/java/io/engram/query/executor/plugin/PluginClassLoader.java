package io.engram.query.executor.plugin;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one plugin (a jar, or a directory of a jar and its dependencies), as trino's
 * {@code PluginClassLoader}: its parent is the platform loader, so the JDK resolves and the application's class path
 * does not; classes and resources of the SPI packages ({@value #API}, {@value #SPI}) come from the loader that supplies
 * them to the application, so a plugin's {@code QueryPlugin} is ours; everything else comes from the plugin's own
 * jars. So a plugin may bundle its own Jackson or Guava, and can not reach ours.
 */
final class PluginClassLoader extends URLClassLoader {
    static final String API = "io.engram.query.api";
    static final String SPI = "io.engram.query.spi";

    private static final List<String> SPI_CLASS_PREFIXES = List.of(API + ".", SPI + ".");
    private static final List<String> SPI_RESOURCE_PREFIXES =
            SPI_CLASS_PREFIXES.stream().map(p -> p.replace('.', '/')).toList();

    static {
        ClassLoader.registerAsParallelCapable();
    }

    private final Path source;
    private final ClassLoader spiLoader;

    /**
     * @param source the plugin's jar or directory, for messages
     * @param jars the plugin's jars
     * @param spiLoader the loader of the application's {@code io.engram.query.api} and {@code .spi} classes
     */
    PluginClassLoader(Path source, List<URL> jars, ClassLoader spiLoader) {
        super(
                "engram-query-plugin:"
                        + requireNonNull(source, "source is null").getFileName(),
                requireNonNull(jars, "jars is null").toArray(URL[]::new),
                ClassLoader.getPlatformClassLoader());
        this.source = source;
        this.spiLoader = requireNonNull(spiLoader, "spiLoader is null");
    }

    /** The plugin's jar or directory. */
    Path source() {
        return source;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isSpi(name, SPI_CLASS_PREFIXES)) {
            return spiLoader.loadClass(name);
        }
        // the platform loader (the JDK) first, then the plugin's own jars
        return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
        return isSpi(name, SPI_RESOURCE_PREFIXES) ? spiLoader.getResource(name) : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return isSpi(name, SPI_RESOURCE_PREFIXES) ? spiLoader.getResources(name) : super.getResources(name);
    }

    @Override
    public String toString() {
        return getName() + " (" + source + ")";
    }

    private static boolean isSpi(String name, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
