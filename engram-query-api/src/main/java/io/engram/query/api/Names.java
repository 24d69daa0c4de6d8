package io.engram.query.api;

import java.util.regex.Pattern;

/** The rule every plugin name follows: {@code [a-z][a-z0-9-]*}, at most 64 characters. */
public final class Names {
    public static final int MAX_LENGTH = 64;
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]*");

    private Names() {}

    /** Returns {@code name} when it is a valid plugin name; otherwise throws naming {@code kind}. */
    public static String check(String kind, String name) {
        if (name == null) {
            throw new IllegalArgumentException(kind + " name is null");
        }
        if (name.length() > MAX_LENGTH || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(kind + " name must match [a-z][a-z0-9-]* (at most " + MAX_LENGTH
                    + " characters), got '" + Printable.of(name) + "'");
        }
        return name;
    }
}
