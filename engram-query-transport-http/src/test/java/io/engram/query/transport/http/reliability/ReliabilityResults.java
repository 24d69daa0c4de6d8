package io.engram.query.transport.http.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Appends one line per scenario to {@code target/reliability/results.jsonl}: what was injected, what the cluster
 * answered, and the figures. {@code docs/RELIABILITY.md} is written from this file of a real run.
 */
final class ReliabilityResults {
    private ReliabilityResults() {}

    static void record(String scenario, String injected, String answered, Map<String, Object> figures) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("scenario", scenario);
        line.put("injected", injected);
        line.put("answered", answered);
        line.put("figures", figures);
        Path file = Path.of(System.getProperty("engram.reliability.results", "target/reliability/results.jsonl"));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(
                    file,
                    ClusterHarness.JSON.writeValueAsString(line) + "\n",
                    UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
