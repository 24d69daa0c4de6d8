package io.engram.query.executor.engine;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Embedding;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The memories a node holds, per space, in the compact layout of {@link SpaceSegment}, with a lookup by memory id
 * across all spaces. Built once with a {@link Builder} and immutable afterwards: safe for concurrent reads. Every
 * embedding of a store has the same number of {@link #dimensions()}; a memory id appears at most once in a store.
 */
public final class MemoryStore {
    private final int dimensions;
    private final Map<MemorySpaceId, SpaceSegment> spaces;
    private final Map<MemoryId, MemoryLocation> locations;

    private MemoryStore(
            int dimensions, Map<MemorySpaceId, SpaceSegment> spaces, Map<MemoryId, MemoryLocation> locations) {
        this.dimensions = dimensions;
        this.spaces = spaces;
        this.locations = locations;
    }

    /** A builder for a store whose embeddings have {@code dimensions} dimensions. */
    public static Builder builder(int dimensions) {
        return new Builder(dimensions);
    }

    public int dimensions() {
        return dimensions;
    }

    /** The spaces held, in id order; a space may be held with no memories. */
    public Set<MemorySpaceId> spaces() {
        return spaces.keySet();
    }

    public boolean holds(MemorySpaceId space) {
        return spaces.containsKey(space);
    }

    public Optional<SpaceSegment> segment(MemorySpaceId space) {
        return Optional.ofNullable(spaces.get(space));
    }

    /** Where {@code id} lives, if this store holds it. */
    public Optional<MemoryLocation> locate(MemoryId id) {
        return Optional.ofNullable(locations.get(id));
    }

    /** The memory {@code id} as a value, if this store holds it. */
    public Optional<Memory> memory(MemoryId id) {
        return locate(id).map(l -> l.segment().memory(l.index()));
    }

    /** The number of memories across all spaces. */
    public int size() {
        return locations.size();
    }

    @Override
    public String toString() {
        return "MemoryStore[" + spaces.size() + " spaces, " + locations.size() + " memories, " + dimensions
                + " dimensions]";
    }

    /**
     * Collects memories, then {@link #build() builds} an immutable store. Rejects an embedding of the wrong length
     * and a memory id already added. Not thread-safe.
     */
    public static final class Builder {
        private final int dimensions;
        private final Map<MemorySpaceId, SegmentBuilder> spaces = new TreeMap<>();
        private final Map<MemoryId, MemorySpaceId> ids = new HashMap<>();

        private Builder(int dimensions) {
            if (dimensions < 1 || dimensions > Embedding.MAX_DIMENSIONS) {
                throw new IllegalArgumentException(
                        "dimensions must be in [1, " + Embedding.MAX_DIMENSIONS + "], got " + dimensions);
            }
            this.dimensions = dimensions;
        }

        public int dimensions() {
            return dimensions;
        }

        /** Holds {@code space} even when no memory of it is added. */
        public Builder addSpace(MemorySpaceId space) {
            requireNonNull(space, "space is null");
            spaces.computeIfAbsent(space, s -> new SegmentBuilder(dimensions));
            return this;
        }

        /** Whether a memory with this id was already added. */
        public boolean contains(MemoryId id) {
            return ids.containsKey(id);
        }

        public Builder add(Memory memory) {
            requireNonNull(memory, "memory is null");
            memory.embedding().requireDimensions("embedding of memory '" + memory.id() + "'", dimensions);
            return add(
                    memory.id(),
                    memory.space(),
                    memory.embedding().toArray(),
                    memory.content(),
                    memory.confidence().value(),
                    memory.fields(),
                    memory.edges());
        }

        /** Adds a memory whose values are already validated; {@code vector} is copied. */
        Builder add(
                MemoryId id,
                MemorySpaceId space,
                float[] vector,
                String content,
                double confidence,
                Map<String, String> fields,
                List<Edge> edges) {
            if (vector.length != dimensions) {
                throw new IllegalArgumentException("embedding of memory '" + id + "' must have " + dimensions
                        + " dimensions, got " + vector.length);
            }
            MemorySpaceId previous = ids.putIfAbsent(id, space);
            if (previous != null) {
                throw new IllegalArgumentException(
                        "memory id '" + id + "' is already loaded (in space '" + previous + "')");
            }
            spaces.computeIfAbsent(space, s -> new SegmentBuilder(dimensions))
                    .add(id, vector, content, confidence, fields, edges);
            return this;
        }

        /** The store of everything added so far. The builder may be used further; the store does not change. */
        public MemoryStore build() {
            Map<MemorySpaceId, SpaceSegment> segments = new TreeMap<>();
            Map<MemoryId, MemoryLocation> locations = new HashMap<>(Math.max(16, ids.size() * 4 / 3 + 1));
            for (Map.Entry<MemorySpaceId, SegmentBuilder> entry : spaces.entrySet()) {
                SpaceSegment segment = entry.getValue().build(entry.getKey());
                segments.put(entry.getKey(), segment);
                for (int i = 0; i < segment.size(); i++) {
                    locations.put(segment.ids[i], new MemoryLocation(segment, i));
                }
            }
            return new MemoryStore(dimensions, Collections.unmodifiableMap(segments), locations);
        }
    }

    private static final class SegmentBuilder {
        private final int dimensions;
        private float[] vectors;
        private final List<MemoryId> ids = new ArrayList<>();
        private final List<String> contents = new ArrayList<>();
        private double[] confidences = new double[16];
        private final List<Map<String, String>> fields = new ArrayList<>();
        private final List<List<Edge>> edges = new ArrayList<>();

        SegmentBuilder(int dimensions) {
            this.dimensions = dimensions;
            this.vectors = new float[dimensions * 16];
        }

        void add(
                MemoryId id,
                float[] vector,
                String content,
                double confidence,
                Map<String, String> memoryFields,
                List<Edge> memoryEdges) {
            int n = ids.size();
            if ((long) (n + 1) * dimensions > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("a space can hold at most " + (Integer.MAX_VALUE - 8) / dimensions
                        + " memories of " + dimensions + " dimensions");
            }
            if ((n + 1) * dimensions > vectors.length) {
                long grown = Math.min((long) vectors.length * 2, Integer.MAX_VALUE - 8);
                vectors = Arrays.copyOf(vectors, (int) Math.max(grown, (long) (n + 1) * dimensions));
            }
            if (n == confidences.length) {
                confidences = Arrays.copyOf(confidences, n * 2);
            }
            System.arraycopy(vector, 0, vectors, n * dimensions, dimensions);
            ids.add(id);
            contents.add(content);
            confidences[n] = confidence;
            fields.add(Map.copyOf(memoryFields));
            edges.add(List.copyOf(memoryEdges));
        }

        SpaceSegment build(MemorySpaceId space) {
            int n = ids.size();
            float[] packed = Arrays.copyOf(vectors, n * dimensions);
            double[] norms = new double[n];
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int d = i * dimensions, end = d + dimensions; d < end; d++) {
                    sum += (double) packed[d] * packed[d];
                }
                norms[i] = Math.sqrt(sum);
            }
            MemoryId[] idArray = ids.toArray(new MemoryId[0]);
            Map<MemoryId, Integer> local = new HashMap<>(Math.max(16, n * 4 / 3 + 1));
            for (int i = 0; i < n; i++) {
                local.put(idArray[i], i);
            }
            String[] contentArray = contents.toArray(new String[0]);
            String[] lower = new String[n];
            for (int i = 0; i < n; i++) {
                lower[i] = contentArray[i].toLowerCase(Locale.ROOT);
            }
            int localCount = 0;
            int externalCount = 0;
            for (List<Edge> list : edges) {
                for (Edge edge : list) {
                    if (local.containsKey(edge.to())) {
                        localCount++;
                    } else {
                        externalCount++;
                    }
                }
            }
            int[] localStart = new int[n + 1];
            int[] localTargets = new int[localCount];
            double[] localWeights = new double[localCount];
            int[] externalStart = new int[n + 1];
            MemoryId[] externalTargets = new MemoryId[externalCount];
            double[] externalWeights = new double[externalCount];
            int l = 0;
            int x = 0;
            for (int i = 0; i < n; i++) {
                localStart[i] = l;
                externalStart[i] = x;
                for (Edge edge : edges.get(i)) {
                    Integer target = local.get(edge.to());
                    if (target != null) {
                        localTargets[l] = target;
                        localWeights[l++] = edge.weight();
                    } else {
                        externalTargets[x] = edge.to();
                        externalWeights[x++] = edge.weight();
                    }
                }
            }
            localStart[n] = l;
            externalStart[n] = x;
            return new SpaceSegment(
                    space,
                    dimensions,
                    packed,
                    norms,
                    idArray,
                    contentArray,
                    lower,
                    Arrays.copyOf(confidences, n),
                    List.copyOf(fields),
                    localStart,
                    localTargets,
                    localWeights,
                    externalStart,
                    externalTargets,
                    externalWeights);
        }
    }
}
