package io.engram.query.spi;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.Cue;
import io.engram.query.api.Deadline;
import io.engram.query.api.MemorySpaceId;
import io.engram.query.api.Query;
import io.engram.query.api.RecallQuery;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionRequestTest {
    private static final Query QUERY = RecallQuery.of(List.of(), Cue.of("coffee"), 10);
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final Deadline DEADLINE = Deadline.after(Duration.ofSeconds(1), () -> 0L);

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> new PartitionRequest(null, QUERY, S1, DEADLINE))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("query id is null");
        assertThatThrownBy(() -> new PartitionRequest("q1", null, S1, DEADLINE))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("query is null");
        assertThatThrownBy(() -> new PartitionRequest("q1", QUERY, null, DEADLINE))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("space is null");
        assertThatThrownBy(() -> new PartitionRequest("q1", QUERY, S1, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("deadline is null");
    }
}
