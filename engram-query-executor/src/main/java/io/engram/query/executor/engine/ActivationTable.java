package io.engram.query.executor.engine;

import java.util.Arrays;

/**
 * The activation of the memories one spread has reached, by memory index, with the round each last improved in: the
 * working state of a single spread, so its cost follows the memories it touches, not the size of the space.
 *
 * <p>It starts as an open-addressing table (linear probing, load at most one half) sized for a few entries and
 * growing with them. Once it holds more than an eighth of the space's memories a hash lookup costs more than the
 * plain arrays would, so it moves to dense arrays of the space's size; then a spread that reaches much of the space
 * costs what the dense layout always cost, and one that reaches little costs little. A memory never reached has
 * activation 0 and last improved in round −1.
 *
 * <p>Not thread-safe: one spread (one thread) owns it. Allocated per spread rather than kept per thread: it is small
 * for small spreads, and no state outlives the call.
 */
final class ActivationTable {
    private static final int EMPTY = -1;
    private static final int MIN_CAPACITY = 16;

    private final int universe;
    private final int denseAbove;
    // Sparse layout (null when dense): keys[slot] = memory index or EMPTY; parallel activation and round.
    private int[] keys;
    private int shift;
    // Activation and round: by slot when sparse, by memory index when dense.
    private double[] activations;
    private int[] rounds;
    private boolean dense;
    private int size;

    /**
     * @param universe the number of memories of the space (indices are in [0, universe))
     * @param expected how many memories the spread is expected to reach (a sizing hint)
     */
    ActivationTable(int universe, int expected) {
        this.universe = universe;
        this.denseAbove = universe / 8;
        if (expected > denseAbove) {
            makeDense();
        } else {
            allocateSparse(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, expected) * 4 - 1)));
        }
    }

    /** The number of memories with an activation above 0. */
    int size() {
        return size;
    }

    /** Whether the table moved to dense arrays (visible for tests). */
    boolean isDense() {
        return dense;
    }

    /** The activation of memory {@code index}; 0 when not reached. */
    double activation(int index) {
        if (dense) {
            return activations[index];
        }
        int slot = find(index);
        return slot < 0 ? 0.0 : activations[slot];
    }

    /**
     * Raises the activation of memory {@code index} to {@code value} when {@code value} is higher than its current
     * one (0 when not reached), recording that it improved in {@code round}.
     *
     * @return true when the memory improved and had not improved in {@code round} before: it joins that round's
     *     improved list
     */
    boolean raise(int index, double value, int round) {
        if (dense) {
            if (value > activations[index]) {
                if (activations[index] == 0.0) {
                    size++;
                }
                activations[index] = value;
                if (rounds[index] != round) {
                    rounds[index] = round;
                    return true;
                }
            }
            return false;
        }
        int mask = keys.length - 1;
        for (int slot = slotOf(index); ; slot = (slot + 1) & mask) {
            int key = keys[slot];
            if (key == index) {
                if (value > activations[slot]) {
                    activations[slot] = value;
                    if (rounds[slot] != round) {
                        rounds[slot] = round;
                        return true;
                    }
                }
                return false;
            }
            if (key == EMPTY) {
                if (!(value > 0.0)) {
                    return false;
                }
                keys[slot] = index;
                activations[slot] = value;
                rounds[slot] = round;
                size++;
                if (size > denseAbove) {
                    makeDense();
                } else if (size * 2 > keys.length) {
                    rehash(keys.length * 2);
                }
                return true;
            }
        }
    }

    /** Calls {@code visitor} for every memory with an activation above 0, in no particular order. */
    void forEach(Visitor visitor) {
        if (dense) {
            for (int index = 0; index < universe; index++) {
                if (activations[index] > 0.0) {
                    visitor.visit(index, activations[index]);
                }
            }
            return;
        }
        for (int slot = 0; slot < keys.length; slot++) {
            if (keys[slot] != EMPTY) {
                visitor.visit(keys[slot], activations[slot]);
            }
        }
    }

    /** Receives a reached memory and its activation. */
    interface Visitor {
        void visit(int index, double activation);
    }

    private int slotOf(int index) {
        return (index * 0x9E3779B9) >>> shift;
    }

    private int find(int index) {
        int mask = keys.length - 1;
        for (int slot = slotOf(index); ; slot = (slot + 1) & mask) {
            int key = keys[slot];
            if (key == index) {
                return slot;
            }
            if (key == EMPTY) {
                return -1;
            }
        }
    }

    private void allocateSparse(int capacity) {
        keys = new int[capacity];
        Arrays.fill(keys, EMPTY);
        activations = new double[capacity];
        rounds = new int[capacity];
        shift = 32 - Integer.numberOfTrailingZeros(capacity);
    }

    private void rehash(int capacity) {
        int[] oldKeys = keys;
        double[] oldActivations = activations;
        int[] oldRounds = rounds;
        allocateSparse(capacity);
        int mask = capacity - 1;
        for (int old = 0; old < oldKeys.length; old++) {
            int key = oldKeys[old];
            if (key != EMPTY) {
                int slot = slotOf(key);
                while (keys[slot] != EMPTY) {
                    slot = (slot + 1) & mask;
                }
                keys[slot] = key;
                activations[slot] = oldActivations[old];
                rounds[slot] = oldRounds[old];
            }
        }
    }

    private void makeDense() {
        double[] denseActivations = new double[universe];
        int[] denseRounds = new int[universe];
        Arrays.fill(denseRounds, -1);
        if (keys != null) {
            for (int slot = 0; slot < keys.length; slot++) {
                int key = keys[slot];
                if (key != EMPTY) {
                    denseActivations[key] = activations[slot];
                    denseRounds[key] = rounds[slot];
                }
            }
        }
        keys = null;
        activations = denseActivations;
        rounds = denseRounds;
        dense = true;
    }
}
