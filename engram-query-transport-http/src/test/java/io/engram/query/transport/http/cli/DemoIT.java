package io.engram.query.transport.http.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Runs the newcomer's demo end to end with real node processes, smaller data, and checks nothing is left behind. */
class DemoIT {
    @Test
    void demoShowsFailoverThenAPartialAnswerAndLeavesNoProcess() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = EngramQueryCli.execute(
                new String[] {"demo", "--memories-per-space", "300", "--dimensions", "32"},
                new PrintWriter(out, true),
                new PrintWriter(err, true));

        assertThat(code).as(err.toString()).isEqualTo(0);
        String text = out.toString();
        assertThat(text).contains("coverage 6/6 partitions, ratio 1.000");
        assertThat(text).contains("missing partitions:");
        assertThat(text).contains("stopped n");
        assertThat(text).contains("exit code 0");
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                .isEmpty();
    }
}
