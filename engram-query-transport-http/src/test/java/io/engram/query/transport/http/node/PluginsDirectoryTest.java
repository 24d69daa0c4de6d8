package io.engram.query.transport.http.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.engram.query.executor.config.ConfigException;
import io.engram.query.spi.QueryPlugin;
import java.io.File;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

class PluginsDirectoryTest {
    @TempDir
    Path dir;

    private static final String NODE = """
            [node]
            id = "n1"
            listen = "127.0.0.1:0"
            plugins_directory = "%s"
            [engine]
            dimensions = 4
            [engine.synthetic]
            spaces = 1
            memories_per_space = 10
            clusters = 2
            """;

    @Test
    void aMissingPluginsDirectoryIsAConfigurationError() {
        assertThatThrownBy(() -> NodeConfig.fromToml(NODE.formatted("plugins"), dir, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: node.plugins_directory " + dir.resolve("plugins")
                        + " is not a directory");
    }

    @Test
    void aNodeStartsWithAPluginsDirectoryRelativeToItsConfiguration() throws Exception {
        Files.createDirectories(dir.resolve("plugins"));
        NodeConfig config = NodeConfig.fromToml(NODE.formatted("plugins"), dir, Map.of());
        assertThat(config.pluginsDirectory()).contains(dir.resolve("plugins"));
        try (EngramNode node = EngramNode.start(config)) {
            assertThat(node.heldSpaces()).hasSize(1);
        }
    }

    @Test
    void clusterHealthListsAPluginOfThePluginsDirectoryWithItsJar() throws Exception {
        Path jar = writeLowestPlugin(
                Files.createDirectories(dir.resolve("plugins")).resolve("lowest.jar"));
        NodeConfig config = NodeConfig.fromToml(NODE.formatted("plugins"), dir, Map.of());
        try (EngramNode node = EngramNode.start(config)) {
            HttpResponse<String> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(node.url() + "/cluster/health"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            List<JsonNode> lowest = Stream.of(
                            new ObjectMapper().readTree(response.body()).path("plugins"))
                    .flatMap(plugins -> java.util.stream.StreamSupport.stream(plugins.spliterator(), false))
                    .filter(p -> p.path("plugin").asText().equals("io.example.LowestPlugin"))
                    .toList();
            assertThat(lowest).hasSize(1);
            assertThat(lowest.get(0).path("source").asText()).isEqualTo(jar.toString());
            assertThat(lowest.get(0).path("merge_policies").toString()).isEqualTo("[\"lowest\"]");
            assertThat(lowest.get(0).path("transports").toString()).isEqualTo("[]");
        }
    }

    /** A plugin bringing a merge policy "lowest", compiled against the api jar only, as a third party builds one. */
    private Path writeLowestPlugin(Path jar) throws Exception {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assumeThat(compiler).as("a JDK with javax.tools").isNotNull();
        Path source = Files.createDirectories(dir.resolve("src/io/example")).resolve("LowestPlugin.java");
        Files.writeString(source, """
                package io.example;

                import io.engram.query.api.Confidence;
                import io.engram.query.api.Match;
                import io.engram.query.spi.MergePolicy;
                import io.engram.query.spi.QueryPlugin;
                import java.util.List;

                public final class LowestPlugin implements QueryPlugin {
                    @Override
                    public List<MergePolicy> mergePolicies() {
                        return List.of(new MergePolicy() {
                            public String name() { return "lowest"; }
                            public Match merge(Match a, Match b) { return a.confidence().compareTo(b.confidence()) <= 0 ? a : b; }
                            public Confidence baseConfidence(List<Match> m) { return Confidence.NONE; }
                        });
                    }
                }
                """);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        String api = Path.of(QueryPlugin.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
        int status = compiler.run(
                null, null, null, "--release", "17", "-classpath", api, "-d", classes.toString(), source.toString());
        assertThat(status).as("javac exit status").isZero();
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file);
                Stream<Path> walk = Files.walk(classes)) {
            for (Path path : walk.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(
                        new JarEntry(classes.relativize(path).toString().replace(File.separatorChar, '/')));
                out.write(Files.readAllBytes(path));
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + QueryPlugin.class.getName()));
            out.write("io.example.LowestPlugin\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }
}
