package io.engram.query.executor.config;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.engram.query.spi.config.ConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads typed values out of a TOML document, collecting every problem instead of stopping at the first (airlift's
 * {@code Bootstrap} habit). Keys are dotted paths ({@code query.max_fanout}). A value can be overridden by a system
 * property {@code engram.<key>} or an environment variable {@code ENGRAM_<KEY>} (dots and dashes become underscores,
 * upper case); overrides win over the file. Keys that nothing reads are reported by {@link #finish()} with the nearest
 * known key.
 */
public final class ConfigReader {
    private static final TomlMapper TOML = new TomlMapper();

    private final String prefix;
    private final Map<String, JsonNode> values;
    private final Map<String, String> origins;
    private final Set<String> knownKeys = new LinkedHashSet<>();
    private final Set<String> consumed = new LinkedHashSet<>();
    private final List<String> problems;
    private final List<ConfigReader> children = new ArrayList<>();
    private Map<String, String> systemProperties = Map.of();
    private Map<String, String> environment = Map.of();
    /** {@code ENGRAM_*} variables that are not key overrides, so not reported as unknown. */
    private final Set<String> otherVariables = new LinkedHashSet<>(NOT_KEYS);

    /**
     * Variables of the {@code ENGRAM_} namespace that name no key: the cluster token, and the launcher script's JVM
     * options.
     */
    private static final Set<String> NOT_KEYS =
            Set.of("ENGRAM_CLUSTER_TOKEN", "ENGRAM_API_TOKEN", "ENGRAM_QUERY_JAVA_OPTS");

    private ConfigReader(
            String prefix, Map<String, JsonNode> values, Map<String, String> origins, List<String> problems) {
        this.prefix = prefix;
        this.values = values;
        this.origins = origins;
        this.problems = problems;
    }

    /** A reader over an empty document: every key has its default. */
    public static ConfigReader empty() {
        return new ConfigReader("", new LinkedHashMap<>(), new LinkedHashMap<>(), new ArrayList<>());
    }

    /** Parses a TOML file; a file that can not be read or parsed is a {@link ConfigException}. */
    public static ConfigReader fromFile(Path file) {
        requireNonNull(file, "file is null");
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(List.of("can not read configuration file " + file + ": " + e.getMessage()));
        }
        return fromToml(text, file.toString());
    }

    /** Parses TOML text; {@code origin} names it in messages. */
    public static ConfigReader fromToml(String toml, String origin) {
        requireNonNull(toml, "toml is null");
        JsonNode root;
        try {
            root = TOML.readTree(toml);
        } catch (IOException e) {
            String reason = e.getMessage() == null
                    ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("");
            throw new ConfigException(List.of(origin + " is not valid TOML: " + reason));
        }
        Map<String, JsonNode> flat = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        if (root != null && root.isObject()) {
            flatten("", root, flat);
        }
        flat.keySet().forEach(k -> origins.put(k, origin));
        return new ConfigReader("", flat, origins, new ArrayList<>());
    }

    private static void flatten(String path, JsonNode node, Map<String, JsonNode> out) {
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            String key = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
            if (e.getValue().isObject()) {
                flatten(key, e.getValue(), out);
            } else {
                out.put(key, e.getValue());
            }
        }
    }

    /**
     * Lets system properties ({@code engram.query.max_fanout}) and environment variables
     * ({@code ENGRAM_QUERY_MAX_FANOUT}) override the document's values; environment variables win.
     */
    public ConfigReader withOverrides(Map<String, String> systemProperties, Map<String, String> environment) {
        this.systemProperties = Map.copyOf(systemProperties);
        this.environment = Map.copyOf(environment);
        return this;
    }

    /** {@link #withOverrides(Map, Map)} with this process's system properties and environment. */
    public ConfigReader withProcessOverrides() {
        Map<String, String> properties = new LinkedHashMap<>();
        System.getProperties().forEach((k, v) -> properties.put(String.valueOf(k), String.valueOf(v)));
        return withOverrides(properties, System.getenv());
    }

    /** An {@code ENGRAM_*} environment variable read for something other than a key, not to be reported. */
    public ConfigReader acceptEnvironmentVariable(String name) {
        otherVariables.add(requireNonNull(name, "name is null"));
        return this;
    }

    /** The environment variable that overrides {@code key}. */
    public static String environmentVariable(String key) {
        return "ENGRAM_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private String full(String key) {
        return prefix + key;
    }

    private Optional<JsonNode> raw(String key) {
        String k = full(key);
        knownKeys.add(k);
        if (prefix.isEmpty()) {
            String env = environment.get(environmentVariable(k));
            String property = systemProperties.get("engram." + k);
            if (env != null) {
                values.put(k, TextNode.valueOf(env));
                origins.put(k, "environment variable " + environmentVariable(k));
            } else if (property != null) {
                values.put(k, TextNode.valueOf(property));
                origins.put(k, "system property engram." + k);
            }
        }
        JsonNode node = values.get(k);
        if (node != null) {
            consumed.add(k);
        }
        return Optional.ofNullable(node);
    }

    private String describe(String key) {
        String origin = origins.get(full(key));
        return full(key) + (origin == null ? "" : " (from " + origin + ")");
    }

    public void problem(String message) {
        problems.add(message);
    }

    /**
     * The value of {@code key}, or its default when nothing sets it. An invalid value is a problem naming the key, what
     * was wrong and what is allowed; the default stands in for it until {@link #finish()} reports it.
     */
    public <T> T get(ConfigKey<T> key) {
        return find(key).orElseGet(key::defaultOrThrow);
    }

    /**
     * The value of {@code key} when something sets it (the file, an environment variable or a system property); empty
     * when nothing does, or when the value is invalid (then a problem is collected).
     */
    public <T> Optional<T> find(ConfigKey<T> key) {
        String name = localName(key);
        Optional<JsonNode> node = raw(name);
        if (node.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(key.type().parse(plain(node.get())));
        } catch (IllegalArgumentException e) {
            problems.add(describe(name) + " " + e.getMessage());
            return Optional.empty();
        }
    }

    /** Whether something sets {@code key} (counts as reading it). */
    public boolean isSet(ConfigKey<?> key) {
        return has(localName(key));
    }

    /** A key of an array of tables ({@code cluster.nodes[].id}) is read by its last part in the table's reader. */
    private String localName(ConfigKey<?> key) {
        return key.name().contains("[].") ? key.leaf() : key.name();
    }

    /** A TOML value as plain Java: Long, Double, Boolean, String, List or Map. */
    private static Object plain(JsonNode node) {
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.asLong() : node.asText();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isArray()) {
            List<Object> out = new ArrayList<>();
            node.forEach(item -> out.add(plain(item)));
            return out;
        }
        if (node.isObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> out.put(e.getKey(), plain(e.getValue())));
            return out;
        }
        return node.asText();
    }

    /**
     * Readers over each table of an array of tables ({@code [[cluster.nodes]]}); their keys are named
     * {@code cluster.nodes[0].id} in messages.
     */
    public List<ConfigReader> tables(String key) {
        Optional<JsonNode> node = raw(key);
        if (node.isEmpty()) {
            return List.of();
        }
        if (!(node.get() instanceof ArrayNode array)) {
            problems.add(describe(key) + " must be an array of tables ([[" + full(key) + "]]), got " + node.get());
            return List.of();
        }
        List<ConfigReader> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            String childPrefix = full(key) + "[" + i + "].";
            if (!(item instanceof ObjectNode)) {
                problems.add(full(key) + "[" + i + "] must be a table, got " + item);
                continue;
            }
            Map<String, JsonNode> flat = new LinkedHashMap<>();
            flatten(childPrefix.substring(0, childPrefix.length() - 1), item, flat);
            Map<String, String> childOrigins = new LinkedHashMap<>();
            String origin = origins.get(full(key));
            flat.keySet().forEach(k -> childOrigins.put(k, origin));
            ConfigReader child = new ConfigReader(childPrefix, flat, childOrigins, problems);
            children.add(child);
            out.add(child);
        }
        return out;
    }

    /** Whether the document sets {@code key} (counts as reading it). */
    public boolean has(String key) {
        return raw(key).isPresent();
    }

    /** Every key read so far, with children's keys in their generic form ({@code cluster.nodes[].id}). */
    public Set<String> knownKeys() {
        Set<String> all = new LinkedHashSet<>(knownKeys);
        for (ConfigReader child : children) {
            for (String k : child.knownKeys()) {
                all.add(k.replaceAll("\\[\\d+]", "[]"));
            }
        }
        return all;
    }

    /**
     * Reports keys nothing read (with the nearest known key) together with every problem collected, as one
     * {@link ConfigException}. Call once, after every section has been read.
     */
    public void finish() {
        Set<String> known = knownKeys();
        for (Map.Entry<String, String> unknown : unknownKeys().entrySet()) {
            String key = unknown.getKey();
            String origin = unknown.getValue();
            Optional<String> nearest = nearest(key.replaceAll("\\[\\d+]", "[]"), known);
            problems.add("unknown key " + key + (origin == null ? "" : " (from " + origin + ")")
                    + nearest.map(n -> "; did you mean " + n + "?").orElse(""));
        }
        problems.addAll(unknownOverrides(known));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /**
     * Overrides that name no key this reader knows: {@code ENGRAM_QUERY_MAX_FANUOT} would otherwise be ignored without
     * a word. Only variables and properties under a section this reader reads are judged, so a host reading only
     * {@code [query]} does not trip over a node's {@code ENGRAM_HTTP_*} in the same environment.
     */
    private List<String> unknownOverrides(Set<String> known) {
        if (!prefix.isEmpty()) {
            return List.of();
        }
        Set<String> sections = new LinkedHashSet<>();
        Map<String, String> keyByVariable = new LinkedHashMap<>();
        for (String key : known) {
            if (key.contains("[")) {
                continue; // array entries have no override
            }
            sections.add(key.substring(0, Math.max(0, key.indexOf('.'))));
            keyByVariable.put(environmentVariable(key), key);
        }
        sections.remove("");
        List<String> unknown = new ArrayList<>();
        for (String variable : new java.util.TreeSet<>(environment.keySet())) {
            boolean inSection =
                    sections.stream().anyMatch(section -> variable.startsWith(environmentVariable(section) + "_"));
            if (!inSection || keyByVariable.containsKey(variable) || otherVariables.contains(variable)) {
                continue;
            }
            Optional<String> nearest = nearest(variable, keyByVariable.keySet());
            unknown.add("unknown environment variable " + variable
                    + nearest.map(n -> "; did you mean " + n + " (" + keyByVariable.get(n) + ")?")
                            .orElse(""));
        }
        for (String property : new java.util.TreeSet<>(systemProperties.keySet())) {
            if (!property.startsWith("engram.")) {
                continue;
            }
            String key = property.substring("engram.".length());
            int dot = key.indexOf('.');
            if (dot < 0 || !sections.contains(key.substring(0, dot)) || known.contains(key)) {
                continue;
            }
            Optional<String> nearest = nearest(key, known);
            unknown.add("unknown system property " + property
                    + nearest.map(n -> "; did you mean engram." + n + "?").orElse(""));
        }
        return unknown;
    }

    /** Keys nothing read, with where each came from. */
    private Map<String, String> unknownKeys() {
        Map<String, String> unknown = new LinkedHashMap<>();
        for (String key : values.keySet()) {
            if (!consumed.contains(key)) {
                unknown.put(key, origins.get(key));
            }
        }
        for (ConfigReader child : children) {
            unknown.putAll(child.unknownKeys());
        }
        return unknown;
    }

    /**
     * The known key closest to {@code key}: among keys of the same table by their last part when there are any
     * ({@code cluster.nodes[].urll} → {@code cluster.nodes[].url}, but no suggestion for an unrelated name), else
     * among all keys. A suggestion that shares little with the key helps nobody, so far ones are dropped.
     */
    static Optional<String> nearest(String key, Set<String> known) {
        int dot = key.lastIndexOf('.');
        String parent = dot < 0 ? "" : key.substring(0, dot + 1);
        List<String> siblings = known.stream()
                .filter(k -> k.startsWith(parent) && k.indexOf('.', parent.length()) < 0)
                .toList();
        if (!parent.isEmpty() && !siblings.isEmpty()) {
            String last = key.substring(parent.length());
            return closest(
                            last,
                            siblings.stream()
                                    .map(k -> k.substring(parent.length()))
                                    .toList())
                    .map(n -> parent + n);
        }
        return closest(key, known);
    }

    private static Optional<String> closest(String key, java.util.Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best != null && bestDistance <= Math.max(2, key.length() / 2) ? Optional.of(best) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
