package io.engram.query.executor.engine;

import java.util.Arrays;

/**
 * The best {@code capacity} (score, index) pairs offered, kept in a bounded min-heap (partial selection: no full
 * sort). Higher scores are better; among equal scores the lower index (the memory loaded first) is better.
 */
final class TopK {
    private final int capacity;
    private final double[] scores;
    private final int[] indices;
    private int size;

    TopK(int capacity) {
        this.capacity = capacity;
        this.scores = new double[capacity];
        this.indices = new int[capacity];
    }

    int size() {
        return size;
    }

    void offer(double score, int index) {
        if (size < capacity) {
            scores[size] = score;
            indices[size] = index;
            siftUp(size++);
        } else if (better(score, index, scores[0], indices[0])) {
            scores[0] = score;
            indices[0] = index;
            siftDown(0);
        }
    }

    /** The kept indices, best first. */
    int[] indicesBestFirst() {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> better(scores[a], indices[a], scores[b], indices[b]) ? -1 : 1);
        int[] result = new int[size];
        for (int i = 0; i < size; i++) {
            result[i] = indices[order[i]];
        }
        return result;
    }

    private static boolean better(double score, int index, double otherScore, int otherIndex) {
        return score > otherScore || (score == otherScore && index < otherIndex);
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!better(scores[parent], indices[parent], scores[i], indices[i])) {
                break;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int left = 2 * i + 1;
            if (left >= size) {
                return;
            }
            int worst = left;
            int right = left + 1;
            if (right < size && better(scores[left], indices[left], scores[right], indices[right])) {
                worst = right;
            }
            if (!better(scores[i], indices[i], scores[worst], indices[worst])) {
                return;
            }
            swap(i, worst);
            i = worst;
        }
    }

    private void swap(int a, int b) {
        double s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
        int x = indices[a];
        indices[a] = indices[b];
        indices[b] = x;
    }
}
