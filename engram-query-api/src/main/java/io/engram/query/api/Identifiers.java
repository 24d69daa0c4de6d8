package io.engram.query.api;

/** Shared validation of the textual identifiers of the model. */
final class Identifiers {
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
        if (!allowed(value)) {
            throw new IllegalArgumentException(
                    kind + " must match [A-Za-z0-9][A-Za-z0-9._:-]*, got '" + Printable.of(value) + "'");
        }
        return value;
    }

    /**
     * Whether {@code value} matches {@code [A-Za-z0-9][A-Za-z0-9._:-]*}. Written out: every id read from the wire is
     * checked, and a regex matcher per id was a tenth of what a coordinator allocated.
     */
    private static boolean allowed(String value) {
        if (!alphanumeric(value.charAt(0))) {
            return false;
        }
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!alphanumeric(c) && c != '.' && c != '_' && c != ':' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean alphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
