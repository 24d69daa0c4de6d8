package io.engram.query.transport.http.cli;

import com.google.inject.CreationException;
import com.google.inject.ProvisionException;
import com.google.inject.spi.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What went wrong when a node would not start, one line per problem. Guice wraps every failure of a provider in "Unable
 * to create injector, see the following errors:" with the real sentences further down; this unwraps each of its
 * errors to the cause's own message, and follows any other exception's cause chain, skipping wrappers that only
 * repeat their cause.
 */
final class StartupFailure {
    private StartupFailure() {}

    /** The problems of {@code failure}, in order, each one line, without repeats. */
    static List<String> problems(Throwable failure) {
        Set<String> lines = new LinkedHashSet<>();
        collect(failure, lines, new IdentityHashMap<>());
        if (lines.isEmpty()) {
            lines.add(failure.getClass().getSimpleName());
        }
        return new ArrayList<>(lines);
    }

    private static void collect(Throwable t, Set<String> lines, Map<Throwable, Boolean> seen) {
        if (t == null || seen.put(t, Boolean.TRUE) != null) {
            return;
        }
        Collection<Message> messages = guiceMessages(t);
        if (!messages.isEmpty()) {
            for (Message m : messages) {
                if (m.getCause() != null) {
                    collect(m.getCause(), lines, seen);
                } else {
                    lines.add(firstLine(m.getMessage()));
                }
            }
            return;
        }
        String own = t.getMessage();
        Throwable cause = t.getCause();
        boolean repeatsCause = cause != null && own != null && own.equals(cause.toString());
        if (own != null && !own.isBlank() && !repeatsCause) {
            lines.add(firstLine(own));
        }
        collect(cause, lines, seen);
    }

    private static Collection<Message> guiceMessages(Throwable t) {
        if (t instanceof CreationException e) {
            return e.getErrorMessages();
        }
        if (t instanceof ProvisionException e) {
            return e.getErrorMessages();
        }
        return List.of();
    }

    private static String firstLine(String message) {
        return message.strip().lines().findFirst().orElse(message);
    }
}
