package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A partition that did not contribute to an answer.
 *
 * @param space the space of the partition
 * @param node the copy last tried, if any was
 * @param reason why it is missing
 * @param detail a short human-readable explanation (no stack trace)
 */
public record MissingPartition(MemorySpaceId space, Optional<NodeId> node, MissingReason reason, String detail) {
    public MissingPartition {
        requireNonNull(space, "space is null");
        requireNonNull(node, "node is null");
        requireNonNull(reason, "reason is null");
        requireNonNull(detail, "detail is null");
    }

    public static MissingPartition of(MemorySpaceId space, NodeId node, MissingReason reason, String detail) {
        return new MissingPartition(space, Optional.ofNullable(node), reason, detail);
    }

    @Override
    public String toString() {
        return space + node.map(n -> "@" + n).orElse("") + " " + reason.name().toLowerCase(java.util.Locale.ROOT)
                + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
