package io.engram.query.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamedRegistryTest {
    private record Policy(String name) implements Named {}

    private record OtherPolicy(String name) implements Named {}

    private static final Policy QUORUM = new Policy("quorum");
    private static final Policy ALL = new Policy("all");
    private static final Policy BEST_EFFORT = new Policy("best-effort");

    private final NamedRegistry<Named> registry =
            new NamedRegistry<>("consistency policy", List.of(QUORUM, ALL, BEST_EFFORT));

    @Test
    void findsPluginsByName() {
        assertThat(registry.get("quorum")).isSameAs(QUORUM);
        assertThat(registry.find("all")).containsSame(ALL);
        assertThat(registry.kind()).isEqualTo("consistency policy");
    }

    @Test
    void listsNamesAndPluginsSortedByName() {
        assertThat(registry.names()).containsExactly("all", "best-effort", "quorum");
        assertThat(registry.all()).containsExactly(ALL, BEST_EFFORT, QUORUM);
    }

    @Test
    void isUnmodifiableAndIndependentOfTheInput() {
        List<Named> plugins = new ArrayList<>(List.of(ALL));
        NamedRegistry<Named> copy = new NamedRegistry<>("consistency policy", plugins);

        plugins.add(QUORUM);

        assertThat(copy.names()).containsExactly("all");
        assertThatThrownBy(() -> copy.names().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> copy.all().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void rejectsAnUnknownNameListingTheKnownOnesSorted() {
        assertThatThrownBy(() -> registry.get("quorom"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown consistency policy 'quorom'; known: all, best-effort, quorum");
    }

    @Test
    void findOfAnUnknownOrNullNameIsEmpty() {
        assertThat(registry.find("quorom")).isEmpty();
        assertThat(registry.find(null)).isEmpty();
        assertThat(registry.find("Not A Name")).isEmpty();
    }

    @Test
    void rejectsAMalformedOrNullNameOnLookupListingTheKnownOnes() {
        assertThatThrownBy(() -> registry.get("Quorum"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("consistency policy name must match [a-z][a-z0-9-]* (at most 64 characters), got 'Quorum';"
                        + " known: all, best-effort, quorum");
        assertThatThrownBy(() -> registry.get("all\r\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("consistency policy name must match [a-z][a-z0-9-]* (at most 64 characters),"
                        + " got 'all\\u000d\\u000a'; known: all, best-effort, quorum");
        assertThatThrownBy(() -> registry.get(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("consistency policy name is null; known: all, best-effort, quorum");
    }

    @Test
    void anEmptyRegistrySaysNoneAreKnown() {
        NamedRegistry<Named> empty = new NamedRegistry<>("transport", List.of());

        assertThat(empty.names()).isEmpty();
        assertThatThrownBy(() -> empty.get("http"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown transport 'http'; known: none");
    }

    @Test
    void rejectsADuplicateNameNamingBothClasses() {
        List<Named> plugins = List.of(new Policy("max"), new OtherPolicy("max"));

        assertThatThrownBy(() -> new NamedRegistry<>("merge policy", plugins))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("merge policy 'max' is already registered (by " + Policy.class.getName() + "; again by "
                        + OtherPolicy.class.getName() + ")");
    }

    @Test
    void rejectsAnInvalidPluginName() {
        assertThatThrownBy(() -> new NamedRegistry<>("merge policy", List.of(new Policy("Max"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("merge policy name must match [a-z][a-z0-9-]* (at most 64 characters), got 'Max'");
        assertThatThrownBy(() -> new NamedRegistry<>("merge policy", List.of(new Policy(null))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("merge policy name is null");
    }

    @Test
    void rejectsNulls() {
        assertThatThrownBy(() -> new NamedRegistry<>("merge policy", Arrays.asList(ALL, null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("merge policy is null");
        assertThatThrownBy(() -> new NamedRegistry<Named>("merge policy", null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("plugins is null");
        assertThatThrownBy(() -> new NamedRegistry<>(null, List.of(ALL)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("kind is null");
    }
}
