package io.engram.query.benchmarks.processes;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnswerCheckTest {
    @Test
    void aFullAnswerPassesAndItsPartitionsAreCounted() {
        String body = "{\"matches\":[{\"memory_id\":\"s1-m0\",\"fields\":{\"coverage\":\"x\"}}],\"confidence\":0.9,"
                + "\"coverage\":{\"expected_partitions\":2,\"responding_partitions\":2,\"ratio\":1.0,"
                + "\"missing_partitions\":[]},\"partitions\":[{\"space\":\"s1\"},{\"space\":\"s2\"}]}";

        assertThat(AnswerCheck.of(body.getBytes(UTF_8))).isEqualTo(new AnswerCheck(Optional.empty(), 2));
    }

    @Test
    void aPartialAnswerFailsWithTheFirstMissingPartitionsReason() {
        String body = "{\"coverage\":{\"expected_partitions\":3,\"responding_partitions\":1,"
                + "\"missing_partitions\":[{\"space\":\"s2\",\"node\":\"n1\",\"reason\":\"failed\",\"detail\":\"cap\"},"
                + "{\"space\":\"s3\",\"reason\":\"timeout\"}]},\"partitions\":[{\"space\":\"s1\"}]}";

        assertThat(AnswerCheck.of(body.getBytes(UTF_8)))
                .isEqualTo(new AnswerCheck(Optional.of("partial coverage: failed"), 1));
    }

    @Test
    void anAnswerWithoutCoverageOrNotJsonFails() {
        assertThat(AnswerCheck.of("{\"matches\":[]}".getBytes(UTF_8)).failure()).contains("partial coverage");
        assertThat(AnswerCheck.of("[1,2]".getBytes(UTF_8)).failure()).contains("unreadable answer");
        assertThat(AnswerCheck.of("{\"coverage\":".getBytes(UTF_8)).failure()).contains("unreadable answer");
    }
}
