package io.engram.query.transport.http.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.engram.query.transport.http.node.EngramNode;
import io.engram.query.transport.http.node.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngramQueryCliTest {
    private static EngramNode node;

    @TempDir
    Path dir;

    @BeforeAll
    static void startNode() {
        node = EngramNode.start(NodeConfig.fromToml("""
                [node]
                id = "n1"
                listen = "127.0.0.1:0"
                [engine]
                dimensions = 8
                [engine.synthetic]
                spaces = 2
                memories_per_space = 50
                clusters = 2
                """, Path.of("."), Map.of()));
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    @Test
    void noCommandIsAUsageError() {
        CliRun run = CliRun.of();
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).startsWith("engram-query: a command is required: serve, query, stats or demo");
    }

    @Test
    void unknownOptionIsAUsageError() {
        CliRun run = CliRun.of("stats", "--node", "http://127.0.0.1:1", "--verbose");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown option: '--verbose'");
    }

    @Test
    void missingConfigFileIsAConfigError() {
        CliRun run = CliRun.of("serve", "--config", dir.resolve("absent.toml").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("can not read configuration file").doesNotContain("Exception");
        assertThat(run.err().lines()).hasSize(1);
    }

    @Test
    void badConfigListsEveryProblemOnOneLine() throws Exception {
        Path config = dir.resolve("bad.toml");
        Files.writeString(config, "[node]\nid = \"n1\"\nlisten = \"10.1.2.3:7401\"\n[query]\nmax_fanuot = 3\n");
        CliRun run = CliRun.of("serve", "--config", config.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err().lines()).hasSize(1);
        assertThat(run.err())
                .contains("unknown key query.max_fanuot")
                .contains("did you mean query.max_fanout?")
                .contains("a cluster token is required");
    }

    @Test
    void aNodeWhosePluginsClashExitsTwoNamingTheClashNotGuicesWrapper() throws Exception {
        // a second copy of the built-in aggregation plugin, in its own jar: it brings 'max' a second time
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        jar(
                Path.of(io.engram.query.aggregation.AggregationPlugin.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI()),
                plugins.resolve("aggregation-copy.jar"));
        Path config = dir.resolve("node.toml");
        Files.writeString(config, """
                [node]
                id = "n1"
                listen = "127.0.0.1:0"
                plugins_directory = "plugins"
                [engine]
                dimensions = 4
                [engine.synthetic]
                spaces = 1
                memories_per_space = 10
                clusters = 2
                """);

        CliRun run = CliRun.of("serve", "--config", config.toString());

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err())
                .startsWith("engram-query: node n1 did not start: merge policy 'max' is already registered (by "
                        + "io.engram.query.aggregation.merge.MaxMergePolicy; again by ")
                .doesNotContain("Unable to create injector")
                .doesNotContain("\tat ");
    }

    @Test
    void startupFailuresListEveryProblemOfTheCauseChainOnItsOwnLine() {
        Throwable chain = new IllegalStateException(
                "can not start the HTTP server on 127.0.0.1:1",
                new java.io.UncheckedIOException(new java.net.BindException("Permission denied")));

        assertThat(StartupFailure.problems(chain))
                .as("the UncheckedIOException only repeats its cause, so it adds no line")
                .containsExactly("can not start the HTTP server on 127.0.0.1:1", "Permission denied");
    }

    /** The classes and resources of {@code classes} (a directory or a jar) copied into a new jar at {@code target}. */
    private static void jar(Path classes, Path target) throws Exception {
        if (Files.isRegularFile(classes)) {
            Files.copy(classes, target);
            return;
        }
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(target));
                var files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new java.util.jar.JarEntry(
                        classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
    }

    @Test
    void queryPrintsATableForAPerson() throws Exception {
        Path query = dir.resolve("q.json");
        Files.writeString(query, "{\"type\":\"recall\",\"spaces\":[],\"cue\":{\"content\":\"memory\"},\"limit\":3}");
        CliRun run =
                CliRun.of("query", "--node", node.url().toString(), "--file", query.toString(), "--format", "table");
        assertThat(run.code()).isEqualTo(0);
        assertThat(run.out()).contains("memory", "coverage 2/2 partitions, ratio 1.000", "broadcast, best-effort");
    }

    @Test
    void queryPrintsJsonByDefault() throws Exception {
        Path query = dir.resolve("q.json");
        Files.writeString(
                query, "{\"type\":\"recall\",\"spaces\":[\"s1\"],\"cue\":{\"content\":\"memory\"},\"limit\":2}");
        CliRun run = CliRun.of("query", "--node", node.url().toString(), "--file", query.toString());
        assertThat(run.code()).isEqualTo(0);
        assertThat(run.out()).contains("\"strategy\" : \"single_partition\"", "\"expected_partitions\" : 1");
    }

    @Test
    void badQueryIsExitTwoWithTheServersDetail() throws Exception {
        Path query = dir.resolve("q.json");
        Files.writeString(query, "{\"type\":\"recall\",\"cue\":{\"content\":\"x\"},\"limit\":0}");
        CliRun run = CliRun.of("query", "--node", node.url().toString(), "--file", query.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("400").contains("limit must be in [1, 10000], got 0");
    }

    @Test
    void unreachableNodeIsExitOne() throws Exception {
        Path query = dir.resolve("q.json");
        Files.writeString(query, "{\"type\":\"recall\",\"cue\":{\"content\":\"x\"}}");
        CliRun run = CliRun.of("query", "--node", "http://127.0.0.1:1", "--file", query.toString());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("engram-query: can not connect to http://127.0.0.1:1 (is the node running?)\n");
    }

    @Test
    void malformedNodeUrlIsAUsageError() {
        CliRun run = CliRun.of("stats", "--node", "127.0.0.1:7401");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--node must be a URL like http://127.0.0.1:7401, got '127.0.0.1:7401'");
    }

    @Test
    void missingQueryFileIsAUsageError() {
        CliRun run = CliRun.of(
                "query",
                "--node",
                node.url().toString(),
                "--file",
                dir.resolve("none.json").toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("does not exist");
    }

    @Test
    void statsPrintsTheNodesSummary() {
        CliRun run = CliRun.of("stats", "--node", node.url().toString());
        assertThat(run.code()).isEqualTo(0);
        assertThat(run.out()).contains("node n1: ok", "strategy", "broadcast", "partial timeouts");
    }
}
