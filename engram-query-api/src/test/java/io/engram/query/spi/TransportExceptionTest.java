package io.engram.query.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.MissingReason;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class TransportExceptionTest {
    @Test
    void unreachableIsRetryable() {
        TransportException e = TransportException.unreachable("connection refused");

        assertThat(e.reason()).isEqualTo(MissingReason.UNREACHABLE);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e).hasMessage("connection refused").hasNoCause();
    }

    @Test
    void failedIsRetryableAsTold() {
        assertThat(TransportException.failed("HTTP 503", true).isRetryable()).isTrue();
        TransportException garbage = TransportException.failed("malformed answer", false);
        assertThat(garbage.isRetryable()).isFalse();
        assertThat(garbage.reason()).isEqualTo(MissingReason.FAILED);
        assertThat(garbage).hasMessage("malformed answer");
    }

    @Test
    void rejectedIsNeverRetryable() {
        TransportException e = TransportException.rejected("embedding must have 384 dimensions, got 2");

        assertThat(e.reason()).isEqualTo(MissingReason.REJECTED);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e).hasMessage("embedding must have 384 dimensions, got 2");
    }

    @Test
    void timeoutIsNotRetryable() {
        TransportException e = TransportException.timeout("no answer in 150 ms");

        assertThat(e.reason()).isEqualTo(MissingReason.TIMEOUT);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e).hasMessage("no answer in 150 ms");
    }

    @Test
    void keepsTheCause() {
        IOException cause = new IOException("reset by peer");

        TransportException e = new TransportException(MissingReason.UNREACHABLE, true, "n2 unreachable", cause);

        assertThat(e).hasCause(cause);
    }

    @Test
    void rejectsANullReason() {
        assertThatThrownBy(() -> new TransportException(null, true, "x"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("reason is null");
    }
}
