package io.engram.query.executor.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import io.engram.query.api.Confidence;
import io.engram.query.spi.QueryPlugin;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginClassLoaderTest {
    private static final ClassLoader APPLICATION = PluginClassLoaderTest.class.getClassLoader();

    @TempDir
    Path work;

    @Test
    void sharesTheSpiAndTheJdkWithTheApplication() throws Exception {
        try (PluginClassLoader loader = new PluginClassLoader(work.resolve("empty.jar"), List.of(), APPLICATION)) {
            assertThat(loader.loadClass(QueryPlugin.class.getName())).isSameAs(QueryPlugin.class);
            assertThat(loader.loadClass(Confidence.class.getName())).isSameAs(Confidence.class);
            assertThat(loader.getResource("io/engram/query/spi/QueryPlugin.class"))
                    .isEqualTo(APPLICATION.getResource("io/engram/query/spi/QueryPlugin.class"));
            assertThat(loader.loadClass("java.lang.String")).isSameAs(String.class);
            assertThat(loader.loadClass("java.sql.Connection")).isSameAs(java.sql.Connection.class);
        }
    }

    @Test
    void doesNotSeeTheRestOfTheApplication() throws Exception {
        try (PluginClassLoader loader = new PluginClassLoader(work.resolve("empty.jar"), List.of(), APPLICATION)) {
            for (String name :
                    List.of(PluginLoader.class.getName(), Guice.class.getName(), ObjectMapper.class.getName())) {
                assertThatThrownBy(() -> loader.loadClass(name))
                        .isInstanceOf(ClassNotFoundException.class)
                        .hasMessage(name);
            }
            assertThat(loader.getResource("io/engram/query/executor/plugin/PluginLoader.class"))
                    .isNull();
            assertThat(Collections.list(loader.getResources(PluginJars.SERVICES)))
                    .as("the application's plugins are not the plugin's")
                    .isEmpty();
        }
    }

    @Test
    void spiPackagesAreNeverThePlugins() throws Exception {
        Path classes = new PluginJars(work)
                .compile(Map.of(
                        "io.engram.query.spi.Bundled",
                        "package io.engram.query.spi; public final class Bundled {}",
                        "io.engram.query.spiral.Near",
                        "package io.engram.query.spiral; public final class Near {}"));
        Path jar = PluginJars.write(work.resolve("plugins/spi.jar"), classes, Map.of());

        try (PluginClassLoader loader =
                new PluginClassLoader(jar, List.of(jar.toUri().toURL()), APPLICATION)) {
            assertThatThrownBy(() -> loader.loadClass("io.engram.query.spi.Bundled"))
                    .isInstanceOf(ClassNotFoundException.class)
                    .hasMessage("io.engram.query.spi.Bundled");
            assertThat(loader.getResource("io/engram/query/spi/Bundled.class")).isNull();
            assertThat(loader.loadClass("io.engram.query.spiral.Near").getClassLoader())
                    .as("a package that only starts like the SPI's is the plugin's")
                    .isSameAs(loader);
        }
    }

    @Test
    void namesThePlugin() throws Exception {
        Path jar = work.resolve("foo.jar");
        try (PluginClassLoader loader = new PluginClassLoader(jar, List.of(), APPLICATION)) {
            assertThat(loader.getName()).isEqualTo("engram-query-plugin:foo.jar");
            assertThat(loader.source()).isEqualTo(jar);
            assertThat(loader).hasToString("engram-query-plugin:foo.jar (" + jar + ")");
            assertThat(loader.getParent()).isSameAs(ClassLoader.getPlatformClassLoader());
        }
    }
}
