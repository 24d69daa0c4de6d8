package io.engram.query.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code --name value} options of the benchmark programs that run outside JMH. */
public final class CommandLineOptions {
    private CommandLineOptions() {}

    /**
     * {@code args} as option name to value, each one of {@code known}.
     *
     * @param usage the program and its options, for the error
     * @throws IllegalArgumentException for an unknown option or one without a value, with the usage
     */
    public static Map<String, String> parse(String[] args, List<String> known, String usage) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].replaceFirst("^--", "");
            if (!args[i].startsWith("--") || !known.contains(name) || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: " + usage + ", got '" + args[i] + "'");
            }
            options.put(name, args[i + 1]);
        }
        return options;
    }

    /** Option {@code name} as a positive integer, or {@code fallback} when it is absent. */
    public static long positive(Map<String, String> options, String name, long fallback) {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--" + name + " must be a positive integer, got '" + value + "'");
    }
}
