package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlineTest {
    private final FakeTicker ticker = new FakeTicker();

    @Test
    void remainingShrinksAsTimePasses() {
        Deadline deadline = Deadline.after(Duration.ofMillis(100), ticker);

        ticker.advance(Duration.ofMillis(30));

        assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(70));
        assertThat(deadline.remainingNanos()).isEqualTo(70_000_000);
        assertThat(deadline.remainingMillis()).isEqualTo(70);
        assertThat(deadline.isExpired()).isFalse();
        assertThat(deadline).hasToString("Deadline[70 ms remaining]");
    }

    @Test
    void remainingMillisRoundsDown() {
        Deadline deadline = Deadline.after(Duration.ofNanos(1_999_999), ticker);

        assertThat(deadline.remainingMillis()).isEqualTo(1);
    }

    @Test
    void expiresExactlyAtTheDeadline() {
        Deadline deadline = Deadline.after(Duration.ofMillis(10), ticker);

        ticker.advance(Duration.ofNanos(9_999_999));
        assertThat(deadline.isExpired()).isFalse();

        ticker.advance(Duration.ofNanos(1));
        assertThat(deadline.isExpired()).isTrue();
        assertThat(deadline.remaining()).isEqualTo(Duration.ZERO);
    }

    @Test
    void remainingIsNeverNegative() {
        Deadline deadline = Deadline.after(Duration.ofMillis(10), ticker);

        ticker.advance(Duration.ofHours(1));

        assertThat(deadline.isExpired()).isTrue();
        assertThat(deadline.remaining()).isEqualTo(Duration.ZERO);
        assertThat(deadline.remainingNanos()).isZero();
        assertThat(deadline.remainingMillis()).isZero();
        assertThat(deadline).hasToString("Deadline[0 ms remaining]");
    }

    @Test
    void aZeroTimeoutIsExpiredAtOnce() {
        assertThat(Deadline.after(Duration.ZERO, ticker).isExpired()).isTrue();
    }

    @Test
    void hugeTimeoutsDoNotOverflow() {
        Deadline deadline = Deadline.after(Duration.ofSeconds(Long.MAX_VALUE), ticker);

        ticker.advance(Duration.ofDays(365));

        assertThat(deadline.isExpired()).isFalse();
        assertThat(deadline.remainingNanos()).isPositive();
    }

    @Test
    void worksWhenTheTickerIsNearItsLimit() {
        FakeTicker late = new FakeTicker(Long.MAX_VALUE - 1_000);
        Deadline huge = Deadline.after(Duration.ofDays(100_000), late);
        Deadline short_ = Deadline.after(Duration.ofMillis(5), late);

        late.advance(Duration.ofMillis(1));

        assertThat(huge.isExpired()).isFalse();
        assertThat(huge.remainingNanos()).isPositive();
        assertThat(short_.remainingMillis()).isEqualTo(4);
        assertThat(short_.isExpired()).isFalse();
        assertThat(huge.min(Duration.ofMillis(5)).remainingMillis()).isEqualTo(5);
    }

    @Test
    void worksWithNegativeTickerValues() {
        FakeTicker negative = new FakeTicker(-5_000_000_000L);
        Deadline deadline = Deadline.after(Duration.ofSeconds(1), negative);

        negative.advance(Duration.ofMillis(400));

        assertThat(deadline.remainingMillis()).isEqualTo(600);
    }

    @Test
    void minKeepsTheEarlierDeadline() {
        Deadline deadline = Deadline.after(Duration.ofMillis(100), ticker);

        assertThat(deadline.min(Duration.ofMillis(500))).isSameAs(deadline);
        Deadline sooner = deadline.min(Duration.ofMillis(20));
        assertThat(sooner.remainingMillis()).isEqualTo(20);
        assertThat(sooner.ticker()).isSameAs(ticker);
    }

    @Test
    void minIsMeasuredFromNowNotFromTheStart() {
        Deadline deadline = Deadline.after(Duration.ofMillis(100), ticker);
        ticker.advance(Duration.ofMillis(90));

        assertThat(deadline.min(Duration.ofMillis(20))).isSameAs(deadline);
        assertThat(deadline.min(Duration.ofMillis(5)).remainingMillis()).isEqualTo(5);
    }

    @Test
    void minWithAHugeTimeoutKeepsThisDeadline() {
        Deadline deadline = Deadline.after(Duration.ofMillis(100), ticker);

        assertThat(deadline.min(Duration.ofSeconds(Long.MAX_VALUE))).isSameAs(deadline);
    }

    @Test
    void rejectsANegativeTimeout() {
        assertThatThrownBy(() -> Deadline.after(Duration.ofMillis(-1), ticker))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deadline timeout must not be negative, got PT-0.001S");
        Deadline deadline = Deadline.after(Duration.ofMillis(100), ticker);
        assertThatThrownBy(() -> deadline.min(Duration.ofSeconds(-2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("deadline timeout must not be negative, got PT-2S");
    }

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> Deadline.after(null, ticker))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("timeout is null");
        assertThatThrownBy(() -> Deadline.after(Duration.ofMillis(1), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("ticker is null");
    }

    @Test
    void systemDeadlineUsesTheSystemTicker() {
        Deadline deadline = Deadline.after(Duration.ofMinutes(1));

        assertThat(deadline.isExpired()).isFalse();
        assertThat(deadline.remaining()).isLessThanOrEqualTo(Duration.ofMinutes(1));
    }
}
