package io.engram.query.api;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How imagine turns seeds into a cue, and how confident an imagined match is: one deterministic definition in the api,
 * so that a coordinator blending seeds fetched from several nodes, the embedded engine and a host's own engine all
 * compute the same cue and the same confidences, and a distributed imagine equals a local one whichever engine runs it.
 *
 * <p>The blend is the mean of the seeds' normalised embeddings, normalised. Novelty moves it by {@code novelty × u},
 * where {@code u} is a unit vector of uniform noise drawn from a {@link SplittableRandom} seeded by a stable hash of
 * the sorted seed ids (so every node and JVM derives the same {@code u}); the result is normalised again. In many
 * dimensions {@code u} is nearly orthogonal to the blend, so novelty 1 turns the cue about 45° away from the seeds.
 */
public final class ImagineBlend {
    private ImagineBlend() {}

    /**
     * The cue for {@code seedEmbeddings}, moved by {@code novelty}.
     *
     * @param seedEmbeddings 1 or more embeddings of the same length (the seeds found)
     * @param seedIds all the query's seed ids (found or not): they seed the noise, so use the query's full list
     * @param novelty in [0, 1]
     */
    public static Embedding blend(List<Embedding> seedEmbeddings, List<MemoryId> seedIds, double novelty) {
        requireNonNull(seedEmbeddings, "seed embeddings is null");
        requireNonNull(seedIds, "seed ids is null");
        Query.checkRange("novelty", novelty, 0.0, 1.0);
        if (seedEmbeddings.isEmpty()) {
            throw new IllegalArgumentException("imagine needs at least one seed embedding");
        }
        int dims = seedEmbeddings.get(0).dimensions();
        double[] mean = new double[dims];
        for (Embedding seed : seedEmbeddings) {
            seed.requireDimensions("seed embedding", dims);
            float[] values = seed.toArray();
            double norm = 0;
            for (float v : values) {
                norm += (double) v * v;
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                continue;
            }
            for (int d = 0; d < dims; d++) {
                mean[d] += values[d] / norm;
            }
        }
        normalise(mean);
        double[] noise = noise(seedIds, dims);
        double[] cue = new double[dims];
        for (int d = 0; d < dims; d++) {
            cue[d] = mean[d] + novelty * noise[d];
        }
        if (!normalise(cue)) {
            cue = noise;
        }
        float[] result = new float[dims];
        for (int d = 0; d < dims; d++) {
            result[d] = (float) cue[d];
        }
        return Embedding.of(result);
    }

    /**
     * The confidence of an imagined match: its similarity to the cue clipped to [0, 1], times {@code 1 − novelty/2},
     * so a more novel (less grounded) imagination is believed less.
     */
    public static double confidence(double similarity, double novelty) {
        return Math.max(0.0, Math.min(1.0, similarity)) * (1.0 - novelty / 2.0);
    }

    private static double[] noise(List<MemoryId> seedIds, int dims) {
        long hash = 0xcbf29ce484222325L;
        for (MemoryId id : seedIds.stream().sorted().toList()) {
            for (byte b : id.value().getBytes(StandardCharsets.UTF_8)) {
                hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
            }
            hash = (hash ^ 0x1f) * 0x100000001b3L;
        }
        SplittableRandom random = new SplittableRandom(mix(hash));
        double[] noise = new double[dims];
        do {
            for (int d = 0; d < dims; d++) {
                noise[d] = random.nextDouble() * 2 - 1;
            }
        } while (!normalise(noise));
        return noise;
    }

    /** SplitMix64's finaliser: spreads the bits of the hash before it seeds the generator. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Scales {@code v} to unit length; false (and unchanged) when it is 0. */
    private static boolean normalise(double[] v) {
        double sum = 0;
        for (double x : v) {
            sum += x * x;
        }
        if (sum == 0) {
            return false;
        }
        double norm = Math.sqrt(sum);
        for (int d = 0; d < v.length; d++) {
            v[d] /= norm;
        }
        return true;
    }
}
