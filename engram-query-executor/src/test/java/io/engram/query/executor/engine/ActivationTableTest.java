package io.engram.query.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ActivationTableTest {
    @Test
    void raiseReportsAMemoryOncePerRoundAndOnlyWhenItImproves() {
        ActivationTable table = new ActivationTable(1_000, 1);

        assertThat(table.raise(7, 0.5, 1)).isTrue();
        assertThat(table.raise(7, 0.6, 1)).isFalse(); // improved again in the same round
        assertThat(table.raise(7, 0.4, 2)).isFalse(); // not an improvement
        assertThat(table.raise(7, 0.7, 2)).isTrue();
        assertThat(table.raise(8, 0.0, 2)).isFalse(); // activation 0 reaches nothing

        assertThat(table.activation(7)).isEqualTo(0.7);
        assertThat(table.activation(8)).isEqualTo(0.0);
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.isDense()).isFalse();
    }

    @Test
    void behavesLikeDenseArraysWhileGrowingAndAfterTurningDense() {
        SplittableRandom random = new SplittableRandom(11);
        int universe = 4_000;
        ActivationTable table = new ActivationTable(universe, 1);
        double[] activation = new double[universe];
        int[] round = new int[universe];
        java.util.Arrays.fill(round, -1);
        boolean wasSparseAtHalf = false;
        for (int step = 0; step < 6_000; step++) {
            int index = random.nextInt(universe);
            double value = random.nextInt(50) / 50.0;
            int r = step / 500;
            boolean expected = false;
            if (value > activation[index]) {
                activation[index] = value;
                if (round[index] != r) {
                    round[index] = r;
                    expected = true;
                }
            }

            assertThat(table.raise(index, value, r)).isEqualTo(expected);
            if (step == 150) {
                wasSparseAtHalf = !table.isDense();
            }
        }

        assertThat(wasSparseAtHalf).isTrue();
        assertThat(table.isDense()).isTrue();
        Map<Integer, Double> visited = new HashMap<>();
        table.forEach(visited::put);
        Map<Integer, Double> expected = new HashMap<>();
        for (int i = 0; i < universe; i++) {
            if (activation[i] > 0) {
                expected.put(i, activation[i]);
            }
            assertThat(table.activation(i)).isEqualTo(activation[i]);
        }
        assertThat(visited).isEqualTo(expected);
        assertThat(table.size()).isEqualTo(expected.size());
    }

    @Test
    void aLargeExpectedSizeStartsDense() {
        assertThat(new ActivationTable(100, 50).isDense()).isTrue();
        assertThat(new ActivationTable(100_000, 50).isDense()).isFalse();
    }
}
