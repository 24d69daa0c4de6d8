package io.engram.query.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class IdentifiersTest {
    private static final Pattern DOCUMENTED = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]*");
    private static final String ALPHABET = "aZ09._:-/ é\u0000\u0085+@Ā";

    @Test
    void acceptsExactlyWhatTheDocumentedPatternMatches() {
        SplittableRandom random = new SplittableRandom(11);
        int accepted = 0;
        for (int trial = 0; trial < 20_000; trial++) {
            StringBuilder value = new StringBuilder();
            for (int n = 1 + random.nextInt(6); n > 0; n--) {
                value.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            String id = value.toString();
            if (DOCUMENTED.matcher(id).matches()) {
                assertThat(Identifiers.check("id", id, 100)).isEqualTo(id);
                accepted++;
            } else {
                assertThatThrownBy(() -> Identifiers.check("id", id, 100))
                        .as(id)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("id must match [A-Za-z0-9][A-Za-z0-9._:-]*, got '");
            }
        }
        assertThat(accepted).isBetween(1_000, 19_000);
    }
}
