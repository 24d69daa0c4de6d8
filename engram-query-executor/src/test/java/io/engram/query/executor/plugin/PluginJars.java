package io.engram.query.executor.plugin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.engram.query.spi.QueryPlugin;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Builds plugin jars at test time, compiled against the api jar only, as a third-party plugin is built. */
final class PluginJars {
    static final String SERVICES = "META-INF/services/" + QueryPlugin.class.getName();

    private final Path work;
    private int builds;

    /** @param work where sources and classes go; not the plugin directory, whose subdirectories are plugins */
    PluginJars(Path work) {
        this.work = work;
    }

    /**
     * Compiles {@code sources} (fully qualified class name to source) against the api jar and {@code classPath}.
     *
     * @return the directory of the class files
     */
    Path compile(Map<String, String> sources, Path... classPath) throws IOException, URISyntaxException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assumeThat(compiler).as("a JDK with javax.tools").isNotNull();
        Path build = Files.createDirectories(work.resolve("build-" + ++builds));
        Path classes = Files.createDirectories(build.resolve("classes"));
        List<String> path = new ArrayList<>();
        path.add(Path.of(QueryPlugin.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString());
        for (Path entry : classPath) {
            path.add(entry.toString());
        }
        List<String> arguments = new ArrayList<>(List.of(
                "--release",
                "17",
                "-classpath",
                String.join(java.io.File.pathSeparator, path),
                "-d",
                classes.toString()));
        for (Map.Entry<String, String> source : sources.entrySet()) {
            Path file = build.resolve("src").resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            arguments.add(file.toString());
        }
        int status = compiler.run(null, null, null, arguments.toArray(String[]::new));
        assertThat(status).as("javac exit status").isZero();
        return classes;
    }

    /** Writes {@code jar}: the class files under {@code classes} (if any) plus {@code texts} (path to content). */
    static Path write(Path jar, Path classes, Map<String, String> texts) throws IOException {
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file)) {
            if (classes != null) {
                try (Stream<Path> walk = Files.walk(classes)) {
                    for (Path path : walk.filter(Files::isRegularFile).sorted().toList()) {
                        out.putNextEntry(
                                new JarEntry(classes.relativize(path).toString().replace('\\', '/')));
                        out.write(Files.readAllBytes(path));
                        out.closeEntry();
                    }
                }
            }
            for (Map.Entry<String, String> text : texts.entrySet()) {
                out.putNextEntry(new JarEntry(text.getKey()));
                out.write(text.getValue().getBytes(UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    /** A plugin jar: {@code classes} and a services file naming {@code pluginClass}. */
    static Path writePlugin(Path jar, Path classes, String pluginClass) throws IOException {
        return write(jar, classes, Map.of(SERVICES, pluginClass + "\n"));
    }

    /**
     * The source of a plugin bringing one consistency policy whose name is {@code nameExpression}, evaluated in the
     * plugin's code each time {@code consistencyPolicies()} is called; {@code members} go into the plugin class.
     */
    static String pluginSource(String className, String members, String nameExpression) {
        int dot = className.lastIndexOf('.');
        return """
                package %s;

                import io.engram.query.spi.ConsistencyPolicy;
                import io.engram.query.spi.CoverageProgress;
                import io.engram.query.spi.QueryPlugin;
                import java.util.List;

                public final class %s implements QueryPlugin {
                    %s

                    @Override
                    public List<ConsistencyPolicy> consistencyPolicies() {
                        String name = %s;
                        return List.of(new ConsistencyPolicy() {
                            @Override
                            public String name() {
                                return name;
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
                """.formatted(className.substring(0, dot), className.substring(dot + 1), members, nameExpression);
    }
}
