package io.engram.query.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark of the module once, in this JVM, with the smallest sizes and a 100 ms measurement, so that a
 * benchmark that no longer sets up or fails on its first operation breaks {@code mvn verify} and not the lead's final
 * run. It says nothing about speed.
 */
class BenchmarksSmokeTest {
    @Test
    void everyBenchmarkRunsOnceWithTinySettings() throws Exception {
        Set<String> expected = BenchmarkList.defaultList()
                .getAll(OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), java.util.List.of())
                .stream()
                .map(BenchmarkListEntry::getUsername)
                .collect(Collectors.toCollection(TreeSet::new));
        Options options = new OptionsBuilder()
                .include("io\\.engram\\.query\\.benchmarks\\..*")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                // planner; nodes also for the cluster scale
                .param("spaces", "100")
                .param("nodes", "10")
                .param("spacesPerNode", "2")
                // engine
                .param("memories", "1000")
                .param("seeds", "1")
                // executor overhead and tail latency
                .param("fanout", "4")
                // scatter/gather
                .param("dataset", "tiny")
                // tcp only: InterleavedComparisonTest runs both transports
                .param("transport", "tcp")
                .build();

        Collection<RunResult> results = new Runner(options).run();

        Set<String> ran =
                results.stream().map(r -> r.getParams().getBenchmark()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(expected).hasSizeGreaterThanOrEqualTo(11);
        assertThat(ran).containsExactlyElementsOf(expected);
        assertThat(results)
                .allSatisfy(r ->
                        assertThat(r.getPrimaryResult().getScore()).isPositive().isFinite());
    }
}
