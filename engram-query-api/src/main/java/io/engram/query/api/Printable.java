package io.engram.query.api;

/** Text from outside (a request, a peer's frame) made safe to echo in an error message. */
public final class Printable {
    /** How many code points of a value an error message shows. */
    public static final int MAX_CODE_POINTS = 64;

    private Printable() {}

    /** {@code value} with control characters escaped as {@code \\uXXXX}, cut after 64 code points ({@code ...}). */
    public static String of(String value) {
        StringBuilder out = new StringBuilder();
        value.codePoints().limit(MAX_CODE_POINTS).forEach(cp -> {
            if (Character.isISOControl(cp)) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        if (value.codePointCount(0, value.length()) > MAX_CODE_POINTS) {
            out.append("...");
        }
        return out.toString();
    }
}
