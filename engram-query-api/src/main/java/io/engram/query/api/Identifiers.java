package io.engram.query.api;

import java.util.regex.Pattern;

/** Shared validation of the textual identifiers of the model. */
final class Identifiers {
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]*");

    private Identifiers() {}

    static String check(String kind, String value, int maxLength) {
        if (value == null) {
            throw new IllegalArgumentException(kind + " is null");
        }
        if (value.isEmpty()) {
            throw new IllegalArgumentException(kind + " must not be empty");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(
                    kind + " must be at most " + maxLength + " characters, got " + value.length());
        }
        if (!ALLOWED.matcher(value).matches()) {
            throw new IllegalArgumentException(
                    kind + " must match [A-Za-z0-9][A-Za-z0-9._:-]*, got '" + printable(value) + "'");
        }
        return value;
    }

    /** Makes a rejected value safe to echo in an error message. */
    static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(64).forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        if (value.codePointCount(0, value.length()) > 64) {
            out.append("...");
        }
        return out.toString();
    }
}
