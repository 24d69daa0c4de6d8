package io.engram.query.executor.engine;

import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The working arrays of one spread, by memory index: activation (0 when not reached) and the round each memory last
 * improved in (−1 when never), with the list of the memories reached so that clearing costs what the spread touched.
 * Sized for the largest space of the store and reused through a {@link Pool}, so a spread neither allocates nor scans
 * arrays of the space's size: its cost follows the memories and edges it touches, with the hot loop on plain arrays.
 *
 * <p>Not thread-safe: one spread owns a scratch between {@link Pool#acquire} and {@link Pool#release}.
 */
final class SpreadScratch {
    final double[] activation;
    final int[] improvedInRound;
    private int[] touched = new int[64];
    private int touchedCount;

    SpreadScratch(int capacity) {
        this.activation = new double[capacity];
        this.improvedInRound = new int[capacity];
        Arrays.fill(improvedInRound, -1);
    }

    int capacity() {
        return activation.length;
    }

    /** Records that memory {@code index} was reached (its activation left 0); call once per memory. */
    void touch(int index) {
        if (touchedCount == touched.length) {
            touched = Arrays.copyOf(touched, touchedCount * 2);
        }
        touched[touchedCount++] = index;
    }

    /** The number of memories reached. */
    int touchedCount() {
        return touchedCount;
    }

    /** The {@code i}-th memory reached, in the order reached. */
    int touched(int i) {
        return touched[i];
    }

    /** Back to no memory reached, clearing only what was touched. */
    void clear() {
        for (int i = 0; i < touchedCount; i++) {
            int index = touched[i];
            activation[index] = 0.0;
            improvedInRound[index] = -1;
        }
        touchedCount = 0;
    }

    /**
     * Cleared scratches for spreads over spaces of at most {@code capacity} memories. An engine keeps one pool
     * (instance state, not static); it holds at most {@code retained} idle scratches, so its memory is bounded by the
     * peak number of concurrent spreads rather than by the number of threads that ever ran one. A pool rather than a
     * {@link ThreadLocal}: requests may run on many threads (or virtual threads), and per-thread arrays of the space's
     * size would stay with every one of them.
     */
    static final class Pool {
        private final int capacity;
        private final ArrayBlockingQueue<SpreadScratch> idle;

        Pool(int capacity, int retained) {
            this.capacity = capacity;
            this.idle = new ArrayBlockingQueue<>(retained);
        }

        /** A cleared scratch of at least {@code size} entries: an idle one, or a new one when none is idle. */
        SpreadScratch acquire(int size) {
            SpreadScratch scratch = size <= capacity ? idle.poll() : null;
            return scratch != null ? scratch : new SpreadScratch(Math.max(size, capacity));
        }

        /** Clears {@code scratch} and keeps it for a later spread, unless enough are idle already. */
        void release(SpreadScratch scratch) {
            scratch.clear();
            if (scratch.capacity() == capacity) {
                idle.offer(scratch);
            }
        }

        /** Idle scratches (visible for tests). */
        int idle() {
            return idle.size();
        }
    }
}
