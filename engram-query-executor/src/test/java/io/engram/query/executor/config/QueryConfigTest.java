package io.engram.query.executor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryConfigTest {
    @Test
    void defaultsMatchTheDocumentedValues() {
        QueryConfig config = QueryConfig.defaults();
        assertThat(config.scatterTimeout()).isEqualTo(Duration.ofMillis(2000));
        assertThat(config.partialConfidencePenalty()).isEqualTo(1.0);
        assertThat(config.maxFanout()).isEqualTo(64);
        assertThat(config.defaultConsistency()).isEqualTo("best-effort");
        assertThat(config.defaultMergePolicy()).isEqualTo("max");
        assertThat(config.circuitBreaker().failureThreshold()).isEqualTo(5);
        assertThat(config.circuitBreaker().resetTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.hedge().budgetRatio()).isEqualTo(0.1);
    }

    @Test
    void readsValuesFromToml() {
        QueryConfig config = QueryConfig.fromToml("""
                [query]
                scatter_timeout_ms = 500
                partial_confidence_penalty = 0.5
                max_fanout = 8

                [query.hedge]
                mode = "fixed"
                delay_ms = 7
                """);
        assertThat(config.scatterTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.partialConfidencePenalty()).isEqualTo(0.5);
        assertThat(config.maxFanout()).isEqualTo(8);
        assertThat(config.hedge().mode()).isEqualTo(QueryConfig.HedgeConfig.Mode.FIXED);
        assertThat(config.hedge().fixedDelay()).isEqualTo(Duration.ofMillis(7));
    }

    @Test
    void reportsEveryProblemTogether() {
        assertThatThrownBy(() -> QueryConfig.fromToml("""
                        [query]
                        scatter_timeout_ms = 0
                        partial_confidence_penalty = 1.5
                        max_fanout = "many"
                        max_fanuot = 3
                        """))
                .isInstanceOf(ConfigException.class)
                .hasMessage("""
                        invalid configuration (4 problems):
                          - query.scatter_timeout_ms (from configuration) must be in [1, 600000], got 0
                          - query.partial_confidence_penalty (from configuration) must be in [0.0, 1.0], got 1.5
                          - query.max_fanout (from configuration) must be an integer, got 'many'
                          - unknown key query.max_fanuot (from configuration); did you mean query.max_fanout?""");
    }

    @Test
    void unknownKeyFarFromAnyKnownOneGetsNoSuggestion() {
        assertThatThrownBy(() -> QueryConfig.fromToml("[zebra]\nstripes = 3\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("invalid configuration: unknown key zebra.stripes (from configuration)");
    }

    @Test
    void malformedTomlIsOneClearProblem() {
        assertThatThrownBy(() -> QueryConfig.fromToml("[query\nmax_fanout = 3"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid configuration: configuration is not valid TOML: ");
    }

    @Test
    void environmentWinsOverSystemPropertyWhichWinsOverFile() {
        ConfigReader reader = ConfigReader.fromToml("[query]\nmax_fanout = 8\nscatter_timeout_ms = 100\n", "f")
                .withOverrides(
                        Map.of("engram.query.max_fanout", "16", "engram.query.scatter_timeout_ms", "300"),
                        Map.of("ENGRAM_QUERY_MAX_FANOUT", "32"));
        QueryConfig config = QueryConfig.read(reader);
        reader.finish();
        assertThat(config.maxFanout()).isEqualTo(32);
        assertThat(config.scatterTimeout()).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void overrideProblemsNameTheirOrigin() {
        ConfigReader reader = ConfigReader.empty().withOverrides(Map.of(), Map.of("ENGRAM_QUERY_MAX_FANOUT", "0"));
        QueryConfig.read(reader);
        assertThatThrownBy(reader::finish)
                .hasMessage("invalid configuration: query.max_fanout (from environment variable "
                        + "ENGRAM_QUERY_MAX_FANOUT) must be in [1, 10000], got 0");
    }

    @Test
    void aMistypedOverrideIsAnErrorNamingTheKeyItMeant() {
        ConfigReader reader = ConfigReader.empty()
                .withOverrides(
                        Map.of("engram.query.max_fanuot", "3", "java.version", "17"),
                        Map.of("ENGRAM_QUERY_MAX_FANUOT", "3", "ENGRAM_QUERY_JAVA_OPTS", "-Xmx1g", "PATH", "/bin"));
        QueryConfig.read(reader);
        assertThatThrownBy(reader::finish)
                .hasMessage("invalid configuration (2 problems):\n"
                        + "  - unknown environment variable ENGRAM_QUERY_MAX_FANUOT; did you mean"
                        + " ENGRAM_QUERY_MAX_FANOUT (query.max_fanout)?\n"
                        + "  - unknown system property engram.query.max_fanuot; did you mean engram.query.max_fanout?");
    }

    @Test
    void overridesOfSectionsThisReaderDoesNotReadAreLeftToTheirOwner() {
        // a host reads only [query]; the node runtime's variables in the same environment are not its business
        ConfigReader reader = ConfigReader.empty()
                .withOverrides(Map.of("engram.http.max_body_bytes", "1"), Map.of("ENGRAM_HTTP_MAX_BODY_BYTES", "1"));
        QueryConfig.read(reader);
        reader.finish();
    }

    @Test
    void crossKeyRulesAreChecked() {
        assertThatThrownBy(() -> QueryConfig.fromToml("[query.retry]\ninitial_backoff_ms = 100\nmax_backoff_ms = 10\n"
                        + "[query.hedge]\nmin_delay_ms = 20\nmax_delay_ms = 10\nmode = \"sometimes\"\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("""
                        invalid configuration (3 problems):
                          - query.retry.max_backoff_ms (10) must be >= query.retry.initial_backoff_ms (100)
                          - query.hedge.mode (from configuration) must be one of adaptive, fixed, off, got 'sometimes'
                          - query.hedge.max_delay_ms (10) must be >= query.hedge.min_delay_ms (20)""");
    }

    @Test
    void badPolicyNameIsReported() {
        assertThatThrownBy(() -> QueryConfig.fromToml("[query]\ndefault_consistency = \"Quorum!\"\n"))
                .hasMessage("invalid configuration: query.default_consistency name must match [a-z][a-z0-9-]* "
                        + "(at most 64 characters), got 'Quorum!'");
    }

    @Test
    void checkedInDefaultTomlParsesToTheDefaults() throws Exception {
        Path file = Path.of("..", "config", "default.toml");
        assertThat(file).exists();
        ConfigReader reader = ConfigReader.fromToml(Files.readString(file), file.toString());
        QueryConfig fromFile = QueryConfig.read(reader);
        assertThat(fromFile).isEqualTo(QueryConfig.defaults());
        ConfigReader defaults = ConfigReader.empty();
        QueryConfig.read(defaults);
        assertThat(defaults.knownKeys())
                .allSatisfy(key -> assertThat(reader.has(key))
                        .as("config/default.toml documents " + key)
                        .isTrue());
    }
}
