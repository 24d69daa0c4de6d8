package io.engram.query.benchmarks.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the figures of a benchmark program that is not JMH as indented JSON, for {@link BenchmarkReport}. */
public final class ResultsFile {
    private ResultsFile() {}

    /** Writes {@code figures} to {@code file}, creating its directory, and says so on standard output. */
    public static void write(Path file, Object figures) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), figures);
        System.out.println("wrote " + file);
    }
}
