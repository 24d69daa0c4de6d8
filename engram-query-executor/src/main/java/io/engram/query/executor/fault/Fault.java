package io.engram.query.executor.fault;

import static java.util.Objects.requireNonNull;

import io.engram.query.spi.TransportException;
import java.time.Duration;

/** What {@link FaultInjectingTransport} does to a matching call. */
public sealed interface Fault {
    /** The call never completes (a hung node, or a dropped response); only the deadline ends it. */
    record Hang() implements Fault {}

    /** The call is answered {@code delay} late. */
    record Delay(Duration delay) implements Fault {
        public Delay {
            requireNonNull(delay, "delay is null");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative, got " + delay);
            }
        }
    }

    /** The call fails with {@code failure}. */
    record Fail(TransportException failure) implements Fault {
        public Fail {
            requireNonNull(failure, "failure is null");
        }
    }

    /** The first {@code times} matching calls fail with {@code failure}; later ones pass. */
    record FailTimes(int times, TransportException failure) implements Fault {
        public FailTimes {
            if (times < 1) {
                throw new IllegalArgumentException("times must be >= 1, got " + times);
            }
            requireNonNull(failure, "failure is null");
        }
    }

    /** With probability {@code probability} (from a seeded generator), the call is answered {@code delay} late. */
    record RandomDelay(double probability, Duration delay) implements Fault {
        public RandomDelay {
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("probability must be in [0, 1], got " + probability);
            }
            requireNonNull(delay, "delay is null");
        }
    }

    static Fault hang() {
        return new Hang();
    }

    static Fault delay(Duration delay) {
        return new Delay(delay);
    }

    static Fault fail(TransportException failure) {
        return new Fail(failure);
    }
}
