package io.engram.query.spi;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MissingReason;

/** Why a partition call failed, and whether trying again (here or on another copy) could help. */
public class TransportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final MissingReason reason;
    private final boolean retryable;
    private final boolean overloaded;

    public TransportException(MissingReason reason, boolean retryable, String message) {
        this(reason, retryable, message, null);
    }

    public TransportException(MissingReason reason, boolean retryable, String message, Throwable cause) {
        this(reason, retryable, false, message, cause);
    }

    private TransportException(
            MissingReason reason, boolean retryable, boolean overloaded, String message, Throwable cause) {
        super(message, cause);
        this.reason = requireNonNull(reason, "reason is null");
        this.retryable = retryable;
        this.overloaded = overloaded;
    }

    /**
     * The node is healthy but at its admission cap and refused the work at once. Not retried on the same node (that
     * would add to its load) and not counted against it; the coordinator fails over or hedges to another copy.
     */
    public static TransportException overloaded(String message) {
        return new TransportException(MissingReason.FAILED, false, true, message, null);
    }

    /** The node could not be reached (connection refused or reset). Retryable. */
    public static TransportException unreachable(String message) {
        return new TransportException(MissingReason.UNREACHABLE, true, message);
    }

    /** The node answered with an error or garbage. */
    public static TransportException failed(String message, boolean retryable) {
        return new TransportException(MissingReason.FAILED, retryable, message);
    }

    /** The node rejected the request as invalid; not retryable anywhere. */
    public static TransportException rejected(String message) {
        return new TransportException(MissingReason.REJECTED, false, message);
    }

    /** The call ran out of time. */
    public static TransportException timeout(String message) {
        return new TransportException(MissingReason.TIMEOUT, false, message);
    }

    public MissingReason reason() {
        return reason;
    }

    public boolean isRetryable() {
        return retryable;
    }

    /** Whether the node refused the work because it was at its admission cap (see {@link #overloaded}). */
    public boolean isOverloaded() {
        return overloaded;
    }
}
