package io.engram.query.executor.engine;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.engram.query.api.Embedding;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Streams memories from a JSON Lines file into a {@link MemoryStore.Builder}, one line at a time (the file is never
 * held in memory). One memory per line:
 *
 * <pre>{@code
 * {"id":"m1","space":"s1","embedding":[0.1,...],"content":"...","confidence":0.9,
 *  "fields":{"who":"ana"},"edges":[{"to":"m2","weight":0.8}]}
 * }</pre>
 *
 * <p>{@code id}, {@code space} and {@code embedding} are required; {@code content} defaults to "", {@code confidence}
 * to 1, {@code fields} and {@code edges} to empty; other keys are ignored; blank lines are skipped. A line is rejected,
 * with its number and the reason, when it is not one JSON object, lacks a required key, names a space outside the
 * known set, has an embedding of the wrong length or with a non-finite number, repeats an id already loaded, has a
 * confidence outside [0, 1], fields that are not strings, or an edge without a valid {@code to} or a weight in [0, 1].
 * A valid line of a space the node does not load is skipped. Loading goes on past bad lines; a caller that must not
 * start with bad data calls {@link LoadReport#requireNoErrors()}.
 */
public final class JsonLinesLoader {
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final int dimensions;
    private final Set<MemorySpaceId> knownSpaces;
    private final Predicate<MemorySpaceId> loads;

    /**
     * @param dimensions every embedding must have this many dimensions
     * @param knownSpaces the spaces of the cluster; a line naming another space is an error
     * @param loads which of the known spaces this node loads (the ones it holds)
     */
    public JsonLinesLoader(int dimensions, Set<MemorySpaceId> knownSpaces, Predicate<MemorySpaceId> loads) {
        if (dimensions < 1 || dimensions > Embedding.MAX_DIMENSIONS) {
            throw new IllegalArgumentException(
                    "dimensions must be in [1, " + Embedding.MAX_DIMENSIONS + "], got " + dimensions);
        }
        this.dimensions = dimensions;
        this.knownSpaces = Set.copyOf(requireNonNull(knownSpaces, "known spaces is null"));
        this.loads = requireNonNull(loads, "loads is null");
    }

    /** Loads {@code file} (UTF-8) into {@code builder}. */
    public LoadReport load(Path file, MemoryStore.Builder builder) throws IOException {
        requireNonNull(file, "file is null");
        try (Reader reader = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)) {
            return load(reader, file.toString(), builder);
        }
    }

    /** Loads the lines of {@code reader} into {@code builder}; {@code source} names it in the report. */
    public LoadReport load(Reader reader, String source, MemoryStore.Builder builder) throws IOException {
        requireNonNull(reader, "reader is null");
        requireNonNull(source, "source is null");
        requireNonNull(builder, "builder is null");
        if (builder.dimensions() != dimensions) {
            throw new IllegalArgumentException(
                    "builder must have " + dimensions + " dimensions, got " + builder.dimensions());
        }
        BufferedReader lines = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        Map<MemoryId, Long> firstLines = new HashMap<>();
        List<LoadError> errors = new ArrayList<>();
        long errorCount = 0;
        long number = 0;
        int loaded = 0;
        int skipped = 0;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            try {
                ParsedLine parsed = parse(line);
                if (!loads.test(parsed.space)) {
                    skipped++;
                    continue;
                }
                Long first = firstLines.get(parsed.id);
                if (first != null) {
                    throw new BadLine("duplicate id '" + parsed.id + "' (first on line " + first + ")");
                }
                if (builder.contains(parsed.id)) {
                    throw new BadLine("duplicate id '" + parsed.id + "' (already loaded)");
                }
                builder.add(
                        parsed.id,
                        parsed.space,
                        parsed.embedding,
                        parsed.content,
                        parsed.confidence,
                        parsed.fields,
                        parsed.edges);
                firstLines.put(parsed.id, number);
                loaded++;
            } catch (BadLine e) {
                errorCount++;
                if (errors.size() < LoadReport.MAX_REPORTED_ERRORS) {
                    errors.add(new LoadError(number, e.getMessage()));
                }
            }
        }
        return new LoadReport(source, number, loaded, skipped, errorCount, errors);
    }

    private record ParsedLine(
            MemoryId id,
            MemorySpaceId space,
            float[] embedding,
            String content,
            double confidence,
            Map<String, String> fields,
            List<Edge> edges) {}

    private static final class BadLine extends Exception {
        private static final long serialVersionUID = 1L;

        BadLine(String message) {
            super(message, null, false, false);
        }
    }

    private ParsedLine parse(String line) throws BadLine {
        try (JsonParser parser = JSON.createParser(line)) {
            return parse(parser);
        } catch (JsonProcessingException e) {
            throw new BadLine("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadLine("unreadable line: " + e.getMessage());
        }
    }

    private ParsedLine parse(JsonParser parser) throws IOException, BadLine {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw new BadLine("line must be a JSON object");
        }
        String id = null;
        String space = null;
        float[] embedding = null;
        String embeddingProblem = null;
        String content = "";
        double confidence = 1.0;
        Map<String, String> fields = Map.of();
        List<Edge> edges = List.of();
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "id" -> id = string(parser, value, "id");
                case "space" -> space = string(parser, value, "space");
                case "content" -> content = string(parser, value, "content");
                case "confidence" -> confidence = confidence(parser, value);
                case "fields" -> fields = fields(parser, value);
                case "edges" -> edges = edges(parser, value);
                case "embedding" -> {
                    if (value != JsonToken.START_ARRAY) {
                        throw new BadLine("embedding must be an array of numbers");
                    }
                    float[] values = new float[Math.min(dimensions, 1024)];
                    int count = 0;
                    for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                            throw new BadLine("embedding must be an array of numbers");
                        }
                        float v = (float) parser.getDoubleValue();
                        if (!Float.isFinite(v) && embeddingProblem == null) {
                            embeddingProblem =
                                    "embedding[" + count + "] must be a finite number, got " + parser.getText();
                        }
                        if (count == values.length) {
                            values = Arrays.copyOf(values, Math.min(values.length * 2 + 1, Embedding.MAX_DIMENSIONS));
                        }
                        if (count < values.length) {
                            values[count] = v;
                        }
                        count++;
                    }
                    if (count != dimensions) {
                        throw new BadLine("embedding must have " + dimensions + " dimensions, got " + count);
                    }
                    embedding = values.length == count ? values : Arrays.copyOf(values, count);
                }
                default -> parser.skipChildren();
            }
        }
        if (parser.currentToken() != JsonToken.END_OBJECT) {
            throw new BadLine("line must be a JSON object");
        }
        if (parser.nextToken() != null) {
            throw new BadLine("unexpected content after the JSON object");
        }
        if (id == null) {
            throw new BadLine("missing id");
        }
        MemoryId memoryId;
        try {
            memoryId = MemoryId.of(id);
        } catch (IllegalArgumentException e) {
            throw new BadLine("bad id: " + e.getMessage());
        }
        if (space == null) {
            throw new BadLine("missing space");
        }
        MemorySpaceId spaceId;
        try {
            spaceId = MemorySpaceId.of(space);
        } catch (IllegalArgumentException e) {
            throw new BadLine("bad space: " + e.getMessage());
        }
        if (!knownSpaces.contains(spaceId)) {
            throw new BadLine("unknown space '" + spaceId + "'; known: " + knownList());
        }
        if (embedding == null) {
            throw new BadLine("missing embedding");
        }
        if (embeddingProblem != null) {
            throw new BadLine(embeddingProblem);
        }
        return new ParsedLine(memoryId, spaceId, embedding, content, confidence, fields, edges);
    }

    private String knownList() {
        Set<String> sorted =
                knownSpaces.stream().map(MemorySpaceId::value).collect(Collectors.toCollection(TreeSet::new));
        String listed = sorted.stream().limit(20).collect(Collectors.joining(", "));
        return sorted.size() > 20 ? listed + ", ... (" + sorted.size() + " spaces)" : listed;
    }

    private static String string(JsonParser parser, JsonToken value, String field) throws IOException, BadLine {
        if (value != JsonToken.VALUE_STRING) {
            parser.skipChildren();
            throw new BadLine(field + " must be a string");
        }
        return parser.getText();
    }

    private static double confidence(JsonParser parser, JsonToken value) throws IOException, BadLine {
        if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new BadLine("confidence must be a number in [0, 1]");
        }
        double confidence = parser.getDoubleValue();
        if (!(confidence >= 0.0 && confidence <= 1.0)) {
            throw new BadLine("confidence must be in [0, 1], got " + parser.getText());
        }
        return confidence;
    }

    private static Map<String, String> fields(JsonParser parser, JsonToken value) throws IOException, BadLine {
        if (value != JsonToken.START_OBJECT) {
            throw new BadLine("fields must be an object of strings");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (JsonToken t = parser.nextToken(); t == JsonToken.FIELD_NAME; t = parser.nextToken()) {
            String key = parser.currentName();
            if (parser.nextToken() != JsonToken.VALUE_STRING) {
                throw new BadLine("field '" + key + "' must be a string");
            }
            fields.put(key, parser.getText());
        }
        return fields;
    }

    private static List<Edge> edges(JsonParser parser, JsonToken value) throws IOException, BadLine {
        if (value != JsonToken.START_ARRAY) {
            throw new BadLine("edges must be an array of {\"to\": id, \"weight\": number}");
        }
        List<Edge> edges = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
            int index = edges.size();
            if (t != JsonToken.START_OBJECT) {
                throw new BadLine("edges[" + index + "] must be an object with \"to\" and \"weight\"");
            }
            String to = null;
            Double weight = null;
            for (JsonToken f = parser.nextToken(); f == JsonToken.FIELD_NAME; f = parser.nextToken()) {
                String key = parser.currentName();
                JsonToken v = parser.nextToken();
                if (key.equals("to") && v == JsonToken.VALUE_STRING) {
                    to = parser.getText();
                } else if (key.equals("weight")
                        && (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT)) {
                    weight = parser.getDoubleValue();
                } else if (key.equals("to") || key.equals("weight")) {
                    throw new BadLine(
                            "edges[" + index + "]." + key + " must be a " + (key.equals("to") ? "string" : "number"));
                } else {
                    parser.skipChildren();
                }
            }
            if (to == null) {
                throw new BadLine("edges[" + index + "] has no \"to\"");
            }
            if (weight == null) {
                throw new BadLine("edges[" + index + "] has no \"weight\"");
            }
            try {
                edges.add(new Edge(MemoryId.of(to), weight));
            } catch (IllegalArgumentException e) {
                throw new BadLine("bad edges[" + index + "]: " + e.getMessage());
            }
        }
        return edges;
    }
}
