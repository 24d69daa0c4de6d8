package io.engram.query.planner.embedded;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.NodeId;
import io.engram.query.spi.SpaceAssignment;
import io.engram.query.spi.SpaceDirectory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A fixed space directory for hosts that bind none (the embedded engine, tests, a static cluster file). Immutable and
 * thread-safe; {@link #assignments()} keeps the order the assignments were given in.
 *
 * <p>{@link #rendezvous} places spaces by rendezvous (highest-random-weight) hashing: every (space, node) pair gets a
 * weight from a stable 64-bit hash of their UTF-8 bytes, the node with the highest weight holds the primary and the
 * next {@code rf − 1} hold replicas. The result depends only on the ids (not on list order, JVM or run), and removing
 * a node moves only the spaces that node held, about {@code rf / nodes} of them.
 */
public final class StaticSpaceDirectory implements SpaceDirectory {
    private final List<SpaceAssignment> assignments;
    private final Map<MemorySpaceId, SpaceAssignment> bySpace;
    private final Function<MemoryId, Optional<MemorySpaceId>> memorySpaces;

    /** @param assignments where each space lives; a space may appear once */
    public StaticSpaceDirectory(List<SpaceAssignment> assignments) {
        this(assignments, memory -> Optional.empty());
    }

    /**
     * @param assignments where each space lives; a space may appear once
     * @param memorySpaces names the space of a memory id when it can (e.g. from a naming convention), for
     *     {@link #spaceOf}
     */
    public StaticSpaceDirectory(
            List<SpaceAssignment> assignments, Function<MemoryId, Optional<MemorySpaceId>> memorySpaces) {
        this.memorySpaces = requireNonNull(memorySpaces, "memory spaces is null");
        this.assignments = List.copyOf(requireNonNull(assignments, "assignments is null"));
        Map<MemorySpaceId, SpaceAssignment> map = new HashMap<>(this.assignments.size() * 2);
        for (SpaceAssignment assignment : this.assignments) {
            if (map.putIfAbsent(assignment.space(), assignment) != null) {
                throw new IllegalArgumentException("space '" + assignment.space() + "' is assigned twice");
            }
        }
        this.bySpace = map;
    }

    /**
     * Places {@code spaces} on {@code nodes} by rendezvous hashing, each with {@code replicationFactor} copies.
     *
     * @throws IllegalArgumentException for no nodes, a repeated space or node, or a replication factor outside [1,
     *     number of nodes]
     */
    public static StaticSpaceDirectory rendezvous(
            List<MemorySpaceId> spaces, List<NodeId> nodes, int replicationFactor) {
        requireNonNull(spaces, "spaces is null");
        requireNonNull(nodes, "nodes is null");
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("nodes must not be empty");
        }
        checkDistinct("nodes", nodes);
        checkDistinct("spaces", spaces);
        if (replicationFactor < 1 || replicationFactor > nodes.size()) {
            throw new IllegalArgumentException("replication factor must be in [1, " + nodes.size()
                    + "] (the number of nodes), got " + replicationFactor);
        }
        long[] nodeHashes = new long[nodes.size()];
        for (int i = 0; i < nodeHashes.length; i++) {
            nodeHashes[i] = hash(nodes.get(i).value());
        }
        List<SpaceAssignment> assignments = new ArrayList<>(spaces.size());
        int[] top = new int[replicationFactor];
        long[] topWeights = new long[replicationFactor];
        for (MemorySpaceId space : spaces) {
            long spaceHash = hash(space.value());
            int found = 0;
            for (int i = 0; i < nodeHashes.length; i++) {
                long weight = weight(spaceHash, nodeHashes[i]);
                // Keep the rf heaviest, heaviest first; equal weights (vanishingly rare) fall back to the node id.
                int at = found;
                while (at > 0 && heavier(weight, nodes.get(i), topWeights[at - 1], nodes.get(top[at - 1]))) {
                    at--;
                }
                if (at >= replicationFactor) {
                    continue;
                }
                int last = Math.min(found, replicationFactor - 1);
                for (int j = last; j > at; j--) {
                    top[j] = top[j - 1];
                    topWeights[j] = topWeights[j - 1];
                }
                top[at] = i;
                topWeights[at] = weight;
                found = Math.min(found + 1, replicationFactor);
            }
            List<NodeId> replicas = new ArrayList<>(replicationFactor - 1);
            for (int j = 1; j < replicationFactor; j++) {
                replicas.add(nodes.get(top[j]));
            }
            assignments.add(new SpaceAssignment(space, nodes.get(top[0]), replicas));
        }
        return new StaticSpaceDirectory(assignments);
    }

    @Override
    public Optional<SpaceAssignment> assignment(MemorySpaceId space) {
        return Optional.ofNullable(bySpace.get(requireNonNull(space, "space is null")));
    }

    @Override
    public List<SpaceAssignment> assignments() {
        return assignments;
    }

    /** This directory, naming memories' spaces with {@code memorySpaces}. */
    public StaticSpaceDirectory withMemorySpaces(Function<MemoryId, Optional<MemorySpaceId>> memorySpaces) {
        return new StaticSpaceDirectory(assignments, memorySpaces);
    }

    /** The space the memory-space function names for {@code memory}, when it is a space of this directory. */
    @Override
    public Optional<MemorySpaceId> spaceOf(MemoryId memory) {
        requireNonNull(memory, "memory is null");
        Optional<MemorySpaceId> space =
                requireNonNull(memorySpaces.apply(memory), "memory space function returned null");
        return space.filter(bySpace::containsKey);
    }

    /** The rendezvous weight of a (space, node) pair; exposed to tests to pin the hash. */
    static long weight(long spaceHash, long nodeHash) {
        return mix(spaceHash * 0x9E3779B97F4A7C15L + nodeHash);
    }

    /** FNV-1a 64 over the UTF-8 bytes, then a finaliser so nearby ids spread over all 64 bits. */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** MurmurHash3's 64-bit finaliser. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static boolean heavier(long weight, NodeId node, long otherWeight, NodeId other) {
        int byWeight = Long.compareUnsigned(weight, otherWeight);
        return byWeight != 0 ? byWeight > 0 : node.compareTo(other) < 0;
    }

    private static <T> void checkDistinct(String field, List<T> values) {
        Set<T> seen = new HashSet<>(values.size() * 2);
        for (T value : values) {
            if (value == null) {
                throw new IllegalArgumentException(field + " must not contain null");
            }
            if (!seen.add(value)) {
                throw new IllegalArgumentException(field + " must not repeat an entry, got '" + value + "' twice");
            }
        }
    }
}
