package io.engram.query.executor.plugin;

import static io.engram.query.executor.plugin.PluginJars.pluginSource;
import static io.engram.query.executor.plugin.PluginJars.writePlugin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.query.aggregation.AggregationPlugin;
import io.engram.query.planner.PlannerPlugin;
import io.engram.query.spi.Named;
import io.engram.query.spi.QueryPlugin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginLoaderTest {
    private static final ClassLoader APPLICATION = PluginLoaderTest.class.getClassLoader();

    @TempDir
    Path directory;

    @TempDir
    Path work;

    private PluginJars jars;

    @BeforeEach
    void setUp() {
        jars = new PluginJars(work);
    }

    @Test
    void classPathHoldsTheBuiltInsAndTheTestPlugin() {
        List<QueryPlugin> plugins = PluginLoader.fromClassPath(APPLICATION);

        assertThat(plugins)
                .extracting(p -> p.getClass().getName())
                .containsExactlyInAnyOrder(
                        PlannerPlugin.class.getName(),
                        AggregationPlugin.class.getName(),
                        TestMergePlugin.class.getName());
    }

    @Test
    void descriptionsNameWhereEachPluginCameFromAndWhatItBrings() throws Exception {
        writePlugin(
                directory.resolve("a.jar"),
                jars.compile(Map.of("io.example.a.APlugin", pluginSource("io.example.a.APlugin", "", "\"a\""))),
                "io.example.a.APlugin");
        List<QueryPlugin> plugins = new java.util.ArrayList<>(PluginLoader.fromClassPath(APPLICATION));
        plugins.addAll(PluginLoader.fromDirectory(directory, APPLICATION));

        List<PluginDescription> descriptions = new PluginCatalog(plugins).descriptions();

        assertThat(descriptions)
                .filteredOn(d -> d.plugin().equals(TestMergePlugin.class.getName()))
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.source()).isEqualTo(PluginDescription.CLASS_PATH);
                    assertThat(d.mergePolicies()).containsExactly(TestMergePlugin.LOWEST);
                    assertThat(d.summary())
                            .isEqualTo(TestMergePlugin.class.getName() + " from class path: merge policies lowest");
                });
        assertThat(descriptions)
                .filteredOn(d -> d.plugin().equals("io.example.a.APlugin"))
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.source()).isEqualTo(directory.resolve("a.jar").toString());
                    assertThat(d.consistencyPolicies()).containsExactly("a");
                    assertThat(d.mergePolicies()).isEmpty();
                    assertThat(d.summary())
                            .isEqualTo("io.example.a.APlugin from " + directory.resolve("a.jar")
                                    + ": consistency policies a");
                });
        assertThat(descriptions)
                .filteredOn(d -> d.plugin().equals(AggregationPlugin.class.getName()))
                .singleElement()
                .satisfies(d -> assertThat(d.mergePolicies()).contains("max", "noisy-or"));
    }

    @Test
    void missingDirectoryHoldsNoPlugin() {
        assertThat(PluginLoader.fromDirectory(directory.resolve("absent"), APPLICATION))
                .isEmpty();
    }

    @Test
    void directoryWithoutJarsHoldsNoPlugin() throws Exception {
        Files.writeString(directory.resolve("README.txt"), "not a jar");
        Files.createDirectories(directory.resolve("empty"));
        Files.writeString(Files.createDirectories(directory.resolve("docs")).resolve("NOTES.txt"), "not a jar");

        assertThat(PluginLoader.fromDirectory(directory, APPLICATION)).isEmpty();
    }

    @Test
    void jarPluginHasItsOwnClassLoaderAndSharesTheSpiTypes() throws Exception {
        Path classes = jars.compile(Map.of(
                "io.example.jarplugin.JarPlugin", pluginSource("io.example.jarplugin.JarPlugin", "", "\"from-jar\"")));
        writePlugin(directory.resolve("jar-plugin.jar"), classes, "io.example.jarplugin.JarPlugin");

        List<QueryPlugin> plugins = PluginLoader.fromDirectory(directory, APPLICATION);

        assertThat(plugins).singleElement().satisfies(plugin -> {
            ClassLoader loader = plugin.getClass().getClassLoader();
            assertThat(plugin.getClass().getName()).isEqualTo("io.example.jarplugin.JarPlugin");
            assertThat(loader).isInstanceOf(PluginClassLoader.class);
            assertThat(loader.getName()).isEqualTo("engram-query-plugin:jar-plugin.jar");
            assertThat(loader.getParent()).isSameAs(ClassLoader.getPlatformClassLoader());
            assertThat(plugin).isInstanceOf(QueryPlugin.class);
            assertThat(loader.loadClass(QueryPlugin.class.getName())).isSameAs(QueryPlugin.class);
            assertThat(plugin.consistencyPolicies()).extracting(Named::name).containsExactly("from-jar");
        });
        assertThat(APPLICATION.getResource("io/example/jarplugin/JarPlugin.class"))
                .as("the plugin class is not on the test class path")
                .isNull();
    }

    @Test
    void pluginBundlingAConflictingJacksonUsesItsOwnBesideOurs() throws Exception {
        // Not Jackson: a "version" of ObjectMapper with the same name and method and a different answer.
        String bundled = """
                package com.fasterxml.jackson.databind;

                public final class ObjectMapper {
                    public String writeValueAsString(Object value) {
                        return "bundled-" + value;
                    }
                }
                """;
        Path classes = jars.compile(Map.of(
                ObjectMapper.class.getName(),
                bundled,
                "io.example.bundling.BundlingPlugin",
                pluginSource(
                        "io.example.bundling.BundlingPlugin",
                        "",
                        "new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(\"jackson\")")));
        Path jar = writePlugin(directory.resolve("bundling.jar"), classes, "io.example.bundling.BundlingPlugin");

        QueryPlugin plugin = PluginLoader.fromDirectory(directory, APPLICATION).get(0);

        assertThat(plugin.consistencyPolicies()).extracting(Named::name).containsExactly("bundled-jackson");
        Class<?> pluginMapper = plugin.getClass().getClassLoader().loadClass(ObjectMapper.class.getName());
        assertThat(pluginMapper).isNotSameAs(ObjectMapper.class);
        assertThat(pluginMapper.getProtectionDomain().getCodeSource().getLocation())
                .isEqualTo(jar.toUri().toURL());
        assertThat(ObjectMapper.class.getClassLoader()).isSameAs(APPLICATION);
        assertThat(new ObjectMapper().writeValueAsString("jackson")).isEqualTo("\"jackson\"");
    }

    @Test
    void pluginsInSeparateJarsDoNotSeeEachOther() throws Exception {
        writePlugin(
                directory.resolve("a.jar"),
                jars.compile(Map.of("io.example.a.APlugin", pluginSource("io.example.a.APlugin", "", "\"a\""))),
                "io.example.a.APlugin");
        writePlugin(
                directory.resolve("b.jar"),
                jars.compile(Map.of("io.example.b.BPlugin", pluginSource("io.example.b.BPlugin", "", "\"b\""))),
                "io.example.b.BPlugin");

        List<QueryPlugin> plugins = PluginLoader.fromDirectory(directory, APPLICATION);

        assertThat(plugins)
                .extracting(p -> p.getClass().getName())
                .containsExactly("io.example.a.APlugin", "io.example.b.BPlugin");
        ClassLoader a = plugins.get(0).getClass().getClassLoader();
        ClassLoader b = plugins.get(1).getClass().getClassLoader();
        assertThat(a).isNotSameAs(b);
        assertThatThrownBy(() -> a.loadClass("io.example.b.BPlugin"))
                .isInstanceOf(ClassNotFoundException.class)
                .hasMessage("io.example.b.BPlugin");
        assertThatThrownBy(() -> b.loadClass("io.example.a.APlugin"))
                .isInstanceOf(ClassNotFoundException.class)
                .hasMessage("io.example.a.APlugin");
    }

    @Test
    void directoryPluginSharesOneLoaderAcrossItsJarsAndKeepsThemToItself() throws Exception {
        Path helper = helperLibrary();
        Path needy = needyPlugin(helper);
        PluginJars.write(directory.resolve("needy/helper-lib.jar"), helper, Map.of());
        writePlugin(directory.resolve("needy/needy.jar"), needy, "io.example.needy.NeedyPlugin");
        writePlugin(
                directory.resolve("other.jar"),
                jars.compile(Map.of("io.example.a.APlugin", pluginSource("io.example.a.APlugin", "", "\"a\""))),
                "io.example.a.APlugin");

        List<QueryPlugin> plugins = PluginLoader.fromDirectory(directory, APPLICATION);

        assertThat(plugins)
                .extracting(p -> p.getClass().getName())
                .containsExactly("io.example.needy.NeedyPlugin", "io.example.a.APlugin");
        QueryPlugin directoryPlugin = plugins.get(0);
        assertThat(directoryPlugin.getClass().getClassLoader().getName()).isEqualTo("engram-query-plugin:needy");
        assertThat(directoryPlugin.consistencyPolicies())
                .extracting(Named::name)
                .containsExactly("helped");
        assertThatThrownBy(() -> plugins.get(1).getClass().getClassLoader().loadClass("io.example.lib.Helper"))
                .isInstanceOf(ClassNotFoundException.class)
                .hasMessage("io.example.lib.Helper");
    }

    @Test
    void pluginIsInstantiatedWithItsOwnLoaderAsTheContextLoader() throws Exception {
        String className = "io.example.context.ContextPlugin";
        Path classes = jars.compile(Map.of(
                className,
                pluginSource(
                        className,
                        "private final boolean own = Thread.currentThread().getContextClassLoader()"
                                + " == ContextPlugin.class.getClassLoader();",
                        "own ? \"own-context\" : \"other-context\"")));
        writePlugin(directory.resolve("context.jar"), classes, className);
        ClassLoader before = Thread.currentThread().getContextClassLoader();

        QueryPlugin plugin = PluginLoader.fromDirectory(directory, APPLICATION).get(0);

        assertThat(plugin.consistencyPolicies()).extracting(Named::name).containsExactly("own-context");
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(before);
    }

    @Test
    void jarNamingAClassPathPluginFailsBecauseThePluginCanNotSeeIt() throws Exception {
        Path jar =
                writePlugin(directory.resolve("names-a-class-path-plugin.jar"), null, TestMergePlugin.class.getName());

        assertThatThrownBy(() -> PluginLoader.fromDirectory(directory, APPLICATION))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("can not load a query plugin from " + jar + ": io.engram.query.spi.QueryPlugin: Provider "
                        + TestMergePlugin.class.getName() + " not found");
    }

    @Test
    void jarNamingAMissingClassFailsNamingTheJar() throws Exception {
        Path jar = writePlugin(directory.resolve("broken.jar"), null, "io.example.Missing");

        assertThatThrownBy(() -> PluginLoader.fromDirectory(directory, APPLICATION))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("can not load a query plugin from " + jar + ": io.engram.query.spi.QueryPlugin: "
                        + "Provider io.example.Missing not found");
    }

    @Test
    void fileThatIsNotAJarFailsNamingIt() throws Exception {
        writePlugin(
                directory.resolve("a.jar"),
                jars.compile(Map.of("io.example.a.APlugin", pluginSource("io.example.a.APlugin", "", "\"a\""))),
                "io.example.a.APlugin");
        Path jar = Files.writeString(directory.resolve("not-a-zip.jar"), "not a jar");

        assertThatThrownBy(() -> PluginLoader.fromDirectory(directory, APPLICATION))
                .isInstanceOf(IllegalStateException.class)
                .hasCauseInstanceOf(ZipException.class)
                .satisfies(e -> assertThat(e)
                        .hasMessage("can not open plugin jar " + jar + ": "
                                + e.getCause().getMessage()));
    }

    @Test
    void pluginDirectoryMissingADependencyFailsNamingTheDirectory() throws Exception {
        Path helper = helperLibrary();
        Path needy = needyPlugin(helper);
        writePlugin(directory.resolve("needy/needy.jar"), needy, "io.example.needy.NeedyPlugin");

        assertThatThrownBy(() -> PluginLoader.fromDirectory(directory, APPLICATION))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("can not load a query plugin from " + directory.resolve("needy")
                        + ": io.engram.query.spi.QueryPlugin: Provider io.example.needy.NeedyPlugin could not be"
                        + " instantiated: java.lang.NoClassDefFoundError: io/example/lib/Helper");
    }

    @Test
    void pluginWhoseSuperclassIsMissingFailsNamingTheJar() throws Exception {
        Path base = jars.compile(Map.of("io.example.lib.Base", """
                package io.example.lib;

                public abstract class Base {}
                """));
        Path orphan = jars.compile(Map.of("io.example.orphan.OrphanPlugin", """
                        package io.example.orphan;

                        import io.engram.query.spi.QueryPlugin;

                        public final class OrphanPlugin extends io.example.lib.Base implements QueryPlugin {}
                        """), base);
        Path jar = writePlugin(directory.resolve("orphan.jar"), orphan, "io.example.orphan.OrphanPlugin");

        assertThatThrownBy(() -> PluginLoader.fromDirectory(directory, APPLICATION))
                .isInstanceOf(IllegalStateException.class)
                .hasCauseInstanceOf(NoClassDefFoundError.class)
                .hasMessage("can not load a query plugin from " + jar
                        + ": java.lang.NoClassDefFoundError: io/example/lib/Base");
    }

    /** Classes of a library a plugin depends on: {@code io.example.lib.Helper.name()} answers "helped". */
    private Path helperLibrary() throws Exception {
        return jars.compile(Map.of("io.example.lib.Helper", """
                package io.example.lib;

                public final class Helper {
                    public static String name() {
                        return "helped";
                    }
                }
                """));
    }

    /** Classes of a plugin whose name comes from {@link #helperLibrary()}, compiled against {@code helper}. */
    private Path needyPlugin(Path helper) throws Exception {
        return jars.compile(
                Map.of(
                        "io.example.needy.NeedyPlugin",
                        pluginSource(
                                "io.example.needy.NeedyPlugin",
                                "private final String name = io.example.lib.Helper.name();",
                                "this.name")),
                helper);
    }
}
