package io.engram.query.benchmarks.processes;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * CPU time a process has spent, from Linux's {@code /proc/<pid>/stat}: user plus system time ({@code utime} and
 * {@code stime}, fields 14 and 15) in clock ticks. A process's JIT compiler, garbage collector and idle probes count
 * as well as its query work: that is the machine's cost of running it.
 */
final class ProcessCpu {
    private final long ticksPerSecond;

    private ProcessCpu(long ticksPerSecond) {
        if (ticksPerSecond <= 0) {
            throw new IllegalArgumentException("clock ticks per second must be positive, got " + ticksPerSecond);
        }
        this.ticksPerSecond = ticksPerSecond;
    }

    /** Reads the clock tick rate from {@code getconf CLK_TCK} (100 on every Linux this runs on when that fails). */
    static ProcessCpu system() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(getconf.getInputStream().readAllBytes(), US_ASCII).strip();
            if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
                return new ProcessCpu(Long.parseLong(out));
            }
        } catch (IOException | NumberFormatException e) {
            // the Linux default below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new ProcessCpu(100);
    }

    long ticksPerSecond() {
        return ticksPerSecond;
    }

    /** {@code utime + stime} of {@code pid} so far, in clock ticks. */
    long ticks(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            return ticksOf(Files.readString(stat, US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("can not read " + stat + " (has process " + pid + " exited?)", e);
        }
    }

    double millis(long ticks) {
        return ticks * 1000.0 / ticksPerSecond;
    }

    /**
     * {@code utime + stime} of one {@code /proc/<pid>/stat} line. The second field, the command name in parentheses,
     * may itself hold spaces and parentheses, so fields are counted from the last {@code ')'}.
     */
    static long ticksOf(String statLine) {
        int end = statLine.lastIndexOf(')');
        if (end < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: '" + statLine.strip() + "'");
        }
        // after ") ": field 3 (state) is index 0, so utime (field 14) is index 11 and stime (15) index 12
        String[] fields = statLine.substring(end + 1).strip().split(" +");
        if (fields.length < 13) {
            throw new IllegalArgumentException(
                    "a /proc/<pid>/stat line has at least 15 fields, got " + (fields.length + 2));
        }
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
