package io.engram.query.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.engram.query.api.MemoryId;
import io.engram.query.api.MemorySpaceId;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SyntheticDataGeneratorTest {
    private static final SyntheticSpec SPEC = new SyntheticSpec(3, 200, 16, 5, 4, 0.25, 42);
    private static final MemorySpaceId S1 = MemorySpaceId.of("s1");
    private static final MemorySpaceId S2 = MemorySpaceId.of("s2");

    @Test
    void sameSpecGivesIdenticalMemories() {
        List<Memory> first = new SyntheticDataGenerator(SPEC).memories(S2);
        List<Memory> second = new SyntheticDataGenerator(SPEC).memories(S2);

        assertThat(first).hasSize(200).isEqualTo(second);
    }

    @Test
    void spaceDoesNotDependOnWhichOtherSpacesAreGenerated() {
        MemoryStore onlyS2 = new SyntheticDataGenerator(SPEC).store(S2::equals);
        MemoryStore all = new SyntheticDataGenerator(SPEC).store();

        assertThat(onlyS2.spaces()).containsExactly(S2);
        assertThat(onlyS2.memory(MemoryId.of("s2-m17"))).isEqualTo(all.memory(MemoryId.of("s2-m17")));
    }

    @Test
    void differentSpacesAndSeedsGiveDifferentMemories() {
        SyntheticDataGenerator generator = new SyntheticDataGenerator(SPEC);
        Memory s1First = generator.memories(S1).get(0);
        Memory s2First = generator.memories(S2).get(0);
        Memory otherSeed = new SyntheticDataGenerator(new SyntheticSpec(3, 200, 16, 5, 4, 0.25, 43))
                .memories(S1)
                .get(0);

        assertThat(s1First.embedding()).isNotEqualTo(s2First.embedding());
        assertThat(s1First.embedding()).isNotEqualTo(otherSeed.embedding());
    }

    @Test
    void isStableAcrossRuns() {
        // Pinned values: a change here means nodes of different versions would generate different data.
        Memory first = new SyntheticDataGenerator(new SyntheticSpec(2, 10, 4, 3, 3, 0.5, 42))
                .memories(S1)
                .get(0);

        assertThat(first.embedding().get(0)).isEqualTo(0.24563317f);
        assertThat(first.content()).isEqualTo("memory 0 of cluster c0 about museum, meadow and meadow");
        assertThat(first.edges()).extracting(e -> e.to().value()).containsExactly("s2-m7", "s2-m9", "s1-m5");
    }

    @Test
    void namesSpacesMemoriesAndClusters() {
        SyntheticDataGenerator generator = new SyntheticDataGenerator(SPEC);
        List<Memory> memories = generator.memories(S1);

        assertThat(generator.spaces()).extracting(MemorySpaceId::value).containsExactly("s1", "s2", "s3");
        assertThat(memories.get(7).id()).isEqualTo(MemoryId.of("s1-m7"));
        assertThat(memories.get(7).fields()).containsEntry("cluster", "c2").containsKey("topic");
        assertThat(memories.get(7).content()).contains("cluster c2");
        assertThat(memories).allSatisfy(m -> assertThat(m.confidence().value()).isBetween(0.5, 1.0));
    }

    @Test
    void edgesPreferTheSameClusterAndCrossSpacesAtTheConfiguredShare() {
        List<Memory> memories = new SyntheticDataGenerator(SPEC).memories(S1);
        List<Edge> edges = memories.stream().flatMap(m -> m.edges().stream()).toList();
        long cross = edges.stream()
                .filter(e ->
                        !SyntheticDataGenerator.spaceOf(e.to()).orElseThrow().equals(S1))
                .count();
        long sameCluster = memories.stream()
                .flatMap(m -> m.edges().stream()
                        .filter(e -> e.to().value().startsWith("s1-"))
                        .filter(e -> Integer.parseInt(e.to().value().substring(4)) % 5
                                == Integer.parseInt(m.id().value().substring(4)) % 5))
                .count();

        assertThat(edges)
                .allSatisfy(e -> assertThat(e.weight()).isGreaterThan(0.0).isLessThanOrEqualTo(1.0));
        assertThat((double) cross / edges.size()).isBetween(0.18, 0.32);
        assertThat((double) sameCluster / (edges.size() - cross)).isGreaterThan(0.7);
        assertThat(edges)
                .filteredOn(e -> !e.to().value().startsWith("s1-"))
                .allSatisfy(e -> assertThat(e.to().value()).matches("s[23]-m[0-9]+"));
    }

    @Test
    void noCrossSpaceEdgesByDefault() {
        List<Memory> memories = new SyntheticDataGenerator(new SyntheticSpec(3, 100, 8, 4, 3, 1)).memories(S2);

        assertThat(memories)
                .flatMap(Memory::edges)
                .allSatisfy(e -> assertThat(e.to().value()).startsWith("s2-"));
    }

    @Test
    void parsesTheSpaceOfAGeneratedId() {
        assertThat(SyntheticDataGenerator.spaceOf(MemoryId.of("s12-m3"))).contains(MemorySpaceId.of("s12"));
        assertThat(SyntheticDataGenerator.spaceOf(MemoryId.of("other"))).isEqualTo(Optional.empty());
    }

    @Test
    void readsTheSpaceAsTheDocumentedPatternDoes() {
        // The documented rule as a regular expression (the old implementation), against random ids made of the
        // characters that matter: every outcome, including an invalid space name, must be the same.
        Pattern generated = Pattern.compile("(.+)-m[0-9]+");
        SplittableRandom random = new SplittableRandom(11);
        String alphabet = "sm-0129x.:";
        for (int trial = 0; trial < 20_000; trial++) {
            StringBuilder id = new StringBuilder().append("s1m".charAt(random.nextInt(3)));
            for (int i = random.nextInt(9); i > 0; i--) {
                id.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            MemoryId memory = MemoryId.of(id.toString());
            Matcher matcher = generated.matcher(id);
            Object expected;
            try {
                expected = matcher.matches() ? Optional.of(MemorySpaceId.of(matcher.group(1))) : Optional.empty();
            } catch (IllegalArgumentException e) {
                expected = e.getMessage();
            }
            Object actual;
            try {
                actual = SyntheticDataGenerator.spaceOf(memory);
            } catch (IllegalArgumentException e) {
                actual = e.getMessage();
            }
            assertThat(actual).as(id.toString()).isEqualTo(expected);
        }
        assertThat(SyntheticDataGenerator.spaceOf(MemoryId.of("s1-m2-m3"))).contains(MemorySpaceId.of("s1-m2"));
        assertThat(SyntheticDataGenerator.spaceOf(MemoryId.of("s1-m2x"))).isEmpty();
        assertThat(SyntheticDataGenerator.spaceOf(MemoryId.of("s1-m"))).isEmpty();
    }

    @Test
    void rejectsCrossSpaceEdgesWithOneSpace() {
        assertThatThrownBy(() -> new SyntheticSpec(1, 10, 4, 2, 2, 0.5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cross-space edge fraction must be 0 with one space, got 0.5");
        assertThatThrownBy(() -> new SyntheticSpec(1, 10, 4, 11, 2, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clusters must be in [1, 10], got 11");
    }

    @Test
    void rejectsASpaceItDoesNotGenerate() {
        assertThatThrownBy(() -> new SyntheticDataGenerator(SPEC).memories(MemorySpaceId.of("s4")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("space 's4' is not generated; known: s1 .. s3");
    }
}
