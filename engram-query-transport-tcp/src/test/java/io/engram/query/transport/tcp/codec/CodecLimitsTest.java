package io.engram.query.transport.tcp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CodecLimitsTest {
    @Test
    void everyProblemIsReportedAtOnce() {
        assertThatThrownBy(() -> new CodecLimits(0, -1, 70_000, Optional.of(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid codec limits: max string bytes must be >= 1, got 0; max list entries must be >= 1,"
                        + " got -1; max embedding dimensions must be in [1, 65536], got 70000");
        assertThatThrownBy(() -> CodecLimits.DEFAULTS.withDimensions(0))
                .hasMessage("invalid codec limits: dimensions must be in [1, 65536], got 0");
    }

    @Test
    void theDefaultsAcceptWhatTheJsonPathAcceptsByDefault() {
        assertThat(CodecLimits.DEFAULTS.maxListEntries()).isEqualTo(65_536);
        assertThat(CodecLimits.DEFAULTS.maxEmbeddingDimensions()).isEqualTo(65_536);
        assertThat(CodecLimits.DEFAULTS.maxStringBytes()).isGreaterThanOrEqualTo(3 * 65_536);
        assertThat(CodecLimits.DEFAULTS.withDimensions(768).dimensions()).contains(768);
    }
}
