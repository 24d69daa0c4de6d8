package io.engram.query.transport.http.metrics;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The binaries of Debian's {@code prometheus} package ({@code promtool}, {@code prometheus}), found on PATH, where
 * {@code .ci/run} puts them. A test that needs one is skipped without it, except under CI ({@code CI=true}), where a
 * missing binary is a failure, so the checks can not silently stop running there.
 */
public final class PrometheusTools {
    private PrometheusTools() {}

    /** The executable {@code name} on PATH; aborts the test without it (fails it when {@code CI=true}). */
    public static Path require(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String message = name + " (Debian package prometheus) is not on PATH";
        if ("true".equals(System.getenv("CI"))) {
            fail(message + ", and CI=true: .ci/run extracts it from the package");
        }
        Assumptions.abort(message + "; skipping (a failure when CI=true)");
        throw new AssertionError("unreachable");
    }

    /** Asserts that {@code promtool check metrics} finds nothing to say about {@code text}: exit 0, no lint. */
    public static void assertPromtoolAccepts(String text) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(require("promtool").toString(), "check", "metrics")
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().write(text.getBytes(UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS))
                .as("promtool finished")
                .isTrue();
        assertThat(process.exitValue())
                .as("promtool check metrics said: %s", output)
                .isZero();
        assertThat(output).as("promtool check metrics output").isBlank();
    }
}
