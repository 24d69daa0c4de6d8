package io.engram.query.executor.config;

import java.util.List;

/** A configuration with problems; lists every problem found, not only the first. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(message(problems), null, false, false);
        this.problems = List.copyOf(problems);
    }

    private static String message(List<String> problems) {
        if (problems.size() == 1) {
            return "invalid configuration: " + problems.get(0);
        }
        StringBuilder out = new StringBuilder("invalid configuration (" + problems.size() + " problems):");
        for (String p : problems) {
            out.append("\n  - ").append(p);
        }
        return out.toString();
    }

    public List<String> problems() {
        return problems;
    }
}
