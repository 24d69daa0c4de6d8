package io.engram.query.executor.plugin;

import static java.util.Objects.requireNonNull;

import io.engram.query.api.Confidence;
import io.engram.query.api.Match;
import io.engram.query.spi.MergePolicy;
import io.engram.query.spi.QueryPlugin;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plugin found on the test class path through {@code META-INF/services/io.engram.query.spi.QueryPlugin}, as a
 * third-party plugin would be: it depends on the api jar only and brings one merge policy, {@value #LOWEST}.
 *
 * <p>The services file puts it on the class path of every executor test, so it brings only a name no built-in or other
 * test uses; a test that asserts the list of known merge policies built from {@link PluginLoader#fromClassPath} sees
 * it.
 *
 * <p>It counts its instances, so a test can show the class path is searched once per node; the count is the one
 * static mutable state allowed here, read as a difference around the code under test (test classes run one at a
 * time).
 */
public final class TestMergePlugin implements QueryPlugin {
    public static final String LOWEST = "lowest";

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    public TestMergePlugin() {
        INSTANCES.incrementAndGet();
    }

    /** How many times this class was instantiated in this JVM, by {@code ServiceLoader} or by a test. */
    public static int instances() {
        return INSTANCES.get();
    }

    @Override
    public List<MergePolicy> mergePolicies() {
        return List.of(new LowestMergePolicy());
    }

    /**
     * {@code lowest}: of the matches partitions return for one memory, keep the one with the LOWEST confidence (the
     * most cautious reading). Ties are broken by space, then content, so the kept match does not depend on the order
     * partitions answered in.
     *
     * <p>Base confidence: the lowest confidence among the final answer's matches; {@link Confidence#NONE} when the
     * answer is empty.
     */
    public static final class LowestMergePolicy implements MergePolicy {
        private static final Comparator<Match> LOWEST_FIRST = Comparator.comparing(Match::confidence)
                .thenComparing(Match::space)
                .thenComparing(Match::content);

        @Override
        public String name() {
            return LOWEST;
        }

        @Override
        public Match merge(Match a, Match b) {
            requireNonNull(a, "a is null");
            requireNonNull(b, "b is null");
            if (!a.memoryId().equals(b.memoryId())) {
                throw new IllegalArgumentException("only matches of the same memory can be merged, got '" + a.memoryId()
                        + "' and '" + b.memoryId() + "'");
            }
            return LOWEST_FIRST.compare(a, b) <= 0 ? a : b;
        }

        @Override
        public Confidence baseConfidence(List<Match> matches) {
            return requireNonNull(matches, "matches is null").stream()
                    .map(Match::confidence)
                    .min(Comparator.naturalOrder())
                    .orElse(Confidence.NONE);
        }
    }
}
