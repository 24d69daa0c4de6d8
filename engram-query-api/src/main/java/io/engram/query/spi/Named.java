package io.engram.query.spi;

/** Something registered under a name: lower-case letters, digits and dashes, starting with a letter. */
public interface Named {
    /** The name callers select this by; matches {@code [a-z][a-z0-9-]*}. */
    String name();
}
