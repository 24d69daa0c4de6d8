package io.engram.query.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SpreadScratchTest {
    @Test
    void releasedScratchComesBackClearedAndIsReused() {
        SpreadScratch.Pool pool = new SpreadScratch.Pool(1_000, 2);
        SpreadScratch scratch = pool.acquire(500);
        scratch.activation[7] = 0.5;
        scratch.improvedInRound[7] = 2;
        scratch.touch(7);

        pool.release(scratch);
        SpreadScratch again = pool.acquire(1_000);

        assertThat(again).isSameAs(scratch);
        assertThat(again.activation[7]).isEqualTo(0.0);
        assertThat(again.improvedInRound[7]).isEqualTo(-1);
        assertThat(again.touchedCount()).isZero();
    }

    @Test
    void keepsAtMostTheRetainedNumberOfIdleScratches() {
        SpreadScratch.Pool pool = new SpreadScratch.Pool(10, 2);
        SpreadScratch a = pool.acquire(10);
        SpreadScratch b = pool.acquire(10);
        SpreadScratch c = pool.acquire(10);

        pool.release(a);
        pool.release(b);
        pool.release(c);

        assertThat(pool.idle()).isEqualTo(2);
        assertThat(a).isNotSameAs(b).isNotSameAs(c);
    }

    @Test
    void aLargerSpaceGetsItsOwnScratchThatIsNotKept() {
        SpreadScratch.Pool pool = new SpreadScratch.Pool(10, 2);

        SpreadScratch large = pool.acquire(50);
        pool.release(large);

        assertThat(large.capacity()).isEqualTo(50);
        assertThat(pool.idle()).isZero();
    }
}
