package io.engram.query.executor.engine;

/** Dot products over the contiguous vectors of a {@link SpaceSegment}. */
final class Cosine {
    private Cosine() {}

    /**
     * The dot product of {@code query} with the {@code query.length} values of {@code vectors} from {@code offset}.
     * Four independent accumulators let the CPU overlap the multiply-adds.
     */
    static double dot(float[] query, float[] vectors, int offset) {
        int length = query.length;
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (int end = length - 3; i < end; i += 4) {
            s0 += (double) query[i] * vectors[offset + i];
            s1 += (double) query[i + 1] * vectors[offset + i + 1];
            s2 += (double) query[i + 2] * vectors[offset + i + 2];
            s3 += (double) query[i + 3] * vectors[offset + i + 3];
        }
        for (; i < length; i++) {
            s0 += (double) query[i] * vectors[offset + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    static double norm(float[] vector) {
        double sum = 0;
        for (float v : vector) {
            sum += (double) v * v;
        }
        return Math.sqrt(sum);
    }

    /** {@code dot / (normA × normB)}, 0 when either norm is 0, kept inside [−1, 1] against rounding. */
    static double similarity(double dot, double normA, double normB) {
        if (normA == 0 || normB == 0) {
            return 0;
        }
        double cosine = dot / (normA * normB);
        return Math.max(-1.0, Math.min(1.0, cosine));
    }
}
