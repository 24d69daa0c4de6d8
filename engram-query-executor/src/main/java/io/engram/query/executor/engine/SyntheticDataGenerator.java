package io.engram.query.executor.engine;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Confidence;
import io.engram.query.api.Embedding;
import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * Generates clustered memories deterministically: every space draws from its own {@link SplittableRandom} seeded by a
 * stable hash of (seed, space id), so the same spec gives the same memories of a space on every node and JVM, and a
 * node generates only the spaces it holds.
 *
 * <p>Spaces are {@code s1 .. sN}; memory {@code i} (from 0) of space {@code s} is {@code s-m<i>} and belongs to
 * cluster {@code c<i mod clusters>}. An embedding is its cluster's centre (uniform in [−1, 1] per dimension) plus
 * uniform noise of half that amplitude. Content is a short text with a few words; fields are {@code cluster} and
 * {@code topic}; the memory's own confidence is in [0.5, 1). Of the edges, 80% lead to a memory of the same cluster
 * with a weight in (0.5, 1], the others to any memory of the space with a weight in (0, 0.5]; a share
 * {@code crossSpaceEdgeFraction} of them instead leads to a memory of another generated space (by id, computable
 * without generating that space), weight in (0, 1].
 */
public final class SyntheticDataGenerator {
    private static final String[] WORDS = {
        "river", "garden", "music", "winter", "coffee", "letter", "harbour", "lantern", "forest", "market",
        "violin", "bridge", "storm", "kitchen", "meadow", "train", "library", "candle", "mountain", "festival",
        "orchard", "island", "clock", "painting", "station", "desert", "museum", "village", "ocean", "school",
        "thunder", "bicycle"
    };
    private static final double SAME_CLUSTER_SHARE = 0.8;
    private static final double NOISE = 0.5;

    private final SyntheticSpec spec;
    private final List<MemorySpaceId> spaces;

    public SyntheticDataGenerator(SyntheticSpec spec) {
        this.spec = requireNonNull(spec, "spec is null");
        List<MemorySpaceId> names = new ArrayList<>(spec.spaces());
        for (int s = 1; s <= spec.spaces(); s++) {
            names.add(spaceName(s));
        }
        this.spaces = List.copyOf(names);
    }

    public SyntheticSpec spec() {
        return spec;
    }

    /** The generated spaces, {@code s1 .. sN}. */
    public List<MemorySpaceId> spaces() {
        return spaces;
    }

    /** The name of generated space {@code number} (from 1). */
    public static MemorySpaceId spaceName(int number) {
        return MemorySpaceId.of("s" + number);
    }

    /** The id of memory {@code index} (from 0) of {@code space}. */
    public static MemoryId memoryId(MemorySpaceId space, int index) {
        return MemoryId.of(space.value() + "-m" + index);
    }

    /**
     * The space a generated memory id names ({@code s3-m12} → {@code s3}: what precedes the last {@code -m} followed
     * by digits only); empty for any other id. Read by hand rather than by a regular expression: a coordinator and
     * the engine call it per seed and per crossing.
     */
    public static Optional<MemorySpaceId> spaceOf(MemoryId id) {
        String value = id.value();
        int mark = value.lastIndexOf("-m");
        if (mark < 1 || mark + 2 == value.length()) {
            return Optional.empty();
        }
        for (int i = mark + 2; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return Optional.empty();
            }
        }
        return Optional.of(MemorySpaceId.of(value.substring(0, mark)));
    }

    /** The memories of {@code space}, in index order. */
    public List<Memory> memories(MemorySpaceId space) {
        List<Memory> memories = new ArrayList<>(spec.memoriesPerSpace());
        generate(
                space,
                (id, vector, content, confidence, fields, edges) -> memories.add(new Memory(
                        id, space, Embedding.of(vector), content, Confidence.of(confidence), fields, edges)));
        return memories;
    }

    /** Adds every generated space {@code holds} accepts to {@code builder}. */
    public MemoryStore.Builder addTo(MemoryStore.Builder builder, Predicate<MemorySpaceId> holds) {
        requireNonNull(builder, "builder is null");
        requireNonNull(holds, "holds is null");
        if (builder.dimensions() != spec.dimensions()) {
            throw new IllegalArgumentException(
                    "builder must have " + spec.dimensions() + " dimensions, got " + builder.dimensions());
        }
        for (MemorySpaceId space : spaces) {
            if (holds.test(space)) {
                builder.addSpace(space);
                generate(
                        space,
                        (id, vector, content, confidence, fields, edges) ->
                                builder.add(id, space, vector, content, confidence, fields, edges));
            }
        }
        return builder;
    }

    /** A store of the generated spaces {@code holds} accepts. */
    public MemoryStore store(Predicate<MemorySpaceId> holds) {
        return addTo(MemoryStore.builder(spec.dimensions()), holds).build();
    }

    /** A store of every generated space. */
    public MemoryStore store() {
        return store(space -> true);
    }

    private interface Sink {
        void accept(
                MemoryId id,
                float[] vector,
                String content,
                double confidence,
                Map<String, String> fields,
                List<Edge> edges);
    }

    private void generate(MemorySpaceId space, Sink sink) {
        int number = spaces.indexOf(space);
        if (number < 0) {
            throw new IllegalArgumentException(
                    "space '" + space + "' is not generated; known: s1 .. s" + spec.spaces());
        }
        SplittableRandom random = new SplittableRandom(seedFor(spec.seed(), space));
        int dims = spec.dimensions();
        int clusters = spec.clusters();
        int n = spec.memoriesPerSpace();
        float[][] centres = new float[clusters][dims];
        for (float[] centre : centres) {
            for (int d = 0; d < dims; d++) {
                centre[d] = (float) (random.nextDouble() * 2 - 1);
            }
        }
        List<MemoryId> targets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int cluster = i % clusters;
            float[] vector = new float[dims];
            float[] centre = centres[cluster];
            for (int d = 0; d < dims; d++) {
                vector[d] = (float) (centre[d] + NOISE * (random.nextDouble() * 2 - 1));
            }
            String topic = WORDS[random.nextInt(WORDS.length)];
            String content = "memory " + i + " of cluster c" + cluster + " about " + topic + ", "
                    + WORDS[random.nextInt(WORDS.length)] + " and " + WORDS[random.nextInt(WORDS.length)];
            double confidence = 0.5 + 0.5 * random.nextDouble();
            List<Edge> edges = new ArrayList<>(spec.edgesPerMemory());
            targets.clear();
            for (int e = 0; e < spec.edgesPerMemory(); e++) {
                MemoryId target;
                double weight;
                if (spec.crossSpaceEdgeFraction() > 0 && random.nextDouble() < spec.crossSpaceEdgeFraction()) {
                    int other = random.nextInt(spec.spaces() - 1);
                    if (other >= number) {
                        other++;
                    }
                    target = memoryId(spaces.get(other), random.nextInt(n));
                    weight = 1.0 - random.nextDouble();
                } else if (random.nextDouble() < SAME_CLUSTER_SHARE) {
                    int members = (n - cluster + clusters - 1) / clusters;
                    int k = cluster + clusters * random.nextInt(members);
                    if (k == i) {
                        continue;
                    }
                    target = memoryId(space, k);
                    weight = 1.0 - 0.5 * random.nextDouble();
                } else {
                    int k = random.nextInt(n);
                    if (k == i) {
                        continue;
                    }
                    target = memoryId(space, k);
                    weight = 0.5 * (1.0 - random.nextDouble());
                }
                if (!targets.contains(target)) {
                    targets.add(target);
                    edges.add(new Edge(target, weight));
                }
            }
            sink.accept(
                    memoryId(space, i),
                    vector,
                    content,
                    confidence,
                    Map.of("cluster", "c" + cluster, "topic", topic),
                    edges);
        }
    }

    /** A stable 64-bit seed from (seed, space): FNV-1a of the id's UTF-8 bytes, mixed with the seed. */
    static long seedFor(long seed, MemorySpaceId space) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : space.value().getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return mix(seed ^ mix(hash));
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
