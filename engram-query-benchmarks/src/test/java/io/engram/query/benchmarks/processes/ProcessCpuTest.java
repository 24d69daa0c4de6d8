package io.engram.query.benchmarks.processes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcessCpuTest {
    @Test
    void addsUserAndSystemTicksCountingFieldsFromTheLastParenthesis() {
        // comm "(a) b) c" holds spaces and parentheses; utime = 700, stime = 55
        String line = "4242 ((a) b) c) S 1 4242 4242 0 -1 4194560 1234 0 0 0 700 55 0 0 20 0 31 0 123 456\n";

        assertThat(ProcessCpu.ticksOf(line)).isEqualTo(755);
    }

    @Test
    void rejectsALineThatIsNotAStatLine() {
        assertThatThrownBy(() -> ProcessCpu.ticksOf("no parenthesis here"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a /proc/<pid>/stat line: 'no parenthesis here'");
        assertThatThrownBy(() -> ProcessCpu.ticksOf("1 (java) S 1 2 3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a /proc/<pid>/stat line has at least 15 fields, got 6");
    }

    @Test
    void readsThisProcessWhichHasSpentSomeCpu() {
        ProcessCpu cpu = ProcessCpu.system();

        assertThat(cpu.ticksPerSecond()).isPositive();
        assertThat(cpu.ticks(ProcessHandle.current().pid())).isPositive();
    }
}
