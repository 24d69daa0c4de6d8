package io.engram.query.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKTest {
    @Test
    void keepsTheBestLikeAFullSort() {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 50; round++) {
            int n = 1 + random.nextInt(300);
            int k = 1 + random.nextInt(40);
            double[] scores = new double[n];
            for (int i = 0; i < n; i++) {
                scores[i] = random.nextInt(20) / 4.0; // many ties
            }
            TopK top = new TopK(k);
            for (int i = 0; i < n; i++) {
                top.offer(scores[i], i);
            }
            int[] expected = IntStream.range(0, n)
                    .boxed()
                    .sorted(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i))
                    .limit(k)
                    .mapToInt(Integer::intValue)
                    .toArray();

            assertThat(top.indicesBestFirst()).containsExactly(expected);
        }
    }
}
