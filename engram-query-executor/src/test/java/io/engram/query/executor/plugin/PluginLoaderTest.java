package io.engram.query.executor.plugin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.engram.query.aggregation.AggregationPlugin;
import io.engram.query.planner.PlannerPlugin;
import io.engram.query.spi.ConsistencyPolicy;
import io.engram.query.spi.Named;
import io.engram.query.spi.QueryPlugin;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginLoaderTest {
    private static final String SERVICES = "META-INF/services/" + QueryPlugin.class.getName();
    private static final ClassLoader APPLICATION = PluginLoaderTest.class.getClassLoader();

    @TempDir
    Path directory;

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
    void missingDirectoryHoldsNoPlugin() {
        assertThat(PluginLoader.fromDirectory(directory.resolve("absent"), APPLICATION))
                .isEmpty();
    }

    @Test
    void directoryWithoutJarsHoldsNoPlugin() throws IOException {
        Files.writeString(directory.resolve("README.txt"), "not a jar");

        assertThat(PluginLoader.fromDirectory(directory, APPLICATION)).isEmpty();
    }

    @Test
    void jarPluginIsLoadedInItsOwnClassLoaderWithoutTheClassPathOnes() throws Exception {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assumeThat(compiler).as("a JDK with javax.tools").isNotNull();
        Path classes = compile(compiler, "io.example.jarplugin.JarPlugin", """
                package io.example.jarplugin;

                import io.engram.query.spi.ConsistencyPolicy;
                import io.engram.query.spi.CoverageProgress;
                import io.engram.query.spi.QueryPlugin;
                import java.util.List;

                public final class JarPlugin implements QueryPlugin {
                    @Override
                    public List<ConsistencyPolicy> consistencyPolicies() {
                        return List.of(new ConsistencyPolicy() {
                            @Override
                            public String name() {
                                return "from-jar";
                            }

                            @Override
                            public boolean isSatisfied(CoverageProgress progress) {
                                return true;
                            }

                            @Override
                            public boolean canStillSucceed(CoverageProgress progress) {
                                return true;
                            }
                        });
                    }
                }
                """);
        jar("jar-plugin.jar", classes, Map.of(SERVICES, "io.example.jarplugin.JarPlugin\n"));

        List<QueryPlugin> plugins = PluginLoader.fromDirectory(directory, APPLICATION);

        assertThat(plugins).singleElement().satisfies(plugin -> {
            assertThat(plugin.getClass().getName()).isEqualTo("io.example.jarplugin.JarPlugin");
            assertThat(plugin.getClass().getClassLoader()).isNotSameAs(APPLICATION);
            assertThat(plugin.getClass().getClassLoader().getParent()).isSameAs(APPLICATION);
            assertThat(plugin.consistencyPolicies()).extracting(Named::name).containsExactly("from-jar");
        });
        assertThat(APPLICATION.getResource("io/example/jarplugin/JarPlugin.class"))
                .as("the plugin class is not on the test class path")
                .isNull();
    }

    @Test
    void jarNamingOnlyAClassPathPluginAddsNothing() throws IOException {
        jar("names-a-class-path-plugin.jar", null, Map.of(SERVICES, TestMergePlugin.class.getName() + "\n"));

        assertThat(PluginLoader.fromDirectory(directory, APPLICATION)).isEmpty();
    }

    @Test
    void jarNamingAMissingClassFailsSayingWhich() throws IOException {
        jar("broken.jar", null, Map.of(SERVICES, "io.example.Missing\n"));

        assertThatThrownBy(() -> PluginLoader.fromDirectory(directory, APPLICATION))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("can not load a query plugin: io.engram.query.spi.QueryPlugin: "
                        + "Provider io.example.Missing not found");
    }

    /** Compiles one class against the api jar only, as a third-party plugin would be built. */
    private Path compile(JavaCompiler compiler, String className, String source)
            throws IOException, URISyntaxException {
        Path sources = Files.createDirectories(directory.resolve("build/src"));
        Path file = sources.resolve(className.substring(className.lastIndexOf('.') + 1) + ".java");
        Files.writeString(file, source);
        Path classes = Files.createDirectories(directory.resolve("build/classes"));
        Path api = Path.of(ConsistencyPolicy.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        int status = compiler.run(
                null,
                null,
                null,
                "--release",
                "17",
                "-classpath",
                api.toString(),
                "-d",
                classes.toString(),
                file.toString());
        assertThat(status).as("javac exit status").isZero();
        return classes;
    }

    /** Writes a jar into the plugin directory: the class files under {@code classes} (if any) plus {@code texts}. */
    private void jar(String name, Path classes, Map<String, String> texts) throws IOException {
        try (OutputStream file = Files.newOutputStream(directory.resolve(name));
                JarOutputStream jar = new JarOutputStream(file)) {
            if (classes != null) {
                try (Stream<Path> walk = Files.walk(classes)) {
                    for (Path path : walk.filter(Files::isRegularFile).sorted().toList()) {
                        jar.putNextEntry(
                                new JarEntry(classes.relativize(path).toString().replace('\\', '/')));
                        jar.write(Files.readAllBytes(path));
                        jar.closeEntry();
                    }
                }
            }
            for (Map.Entry<String, String> text : texts.entrySet()) {
                jar.putNextEntry(new JarEntry(text.getKey()));
                jar.write(text.getValue().getBytes(UTF_8));
                jar.closeEntry();
            }
        }
    }
}
