package fr.catie.vaniila.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import fr.catie.vaniila.platform.Problem;
import fr.catie.vaniila.wording.Phrase;
import fr.catie.vaniila.wording.Wording;
import org.junit.jupiter.api.Test;
import org.springframework.context.support.ResourceBundleMessageSource;

/**
 * Every sentence a module declares as a {@link Wording} has its French in the bundles, with the same arguments,
 * and the pages say it in the user's language.
 */
class PhraseBookTest {

    static final Pattern ARG = Pattern.compile("\\{(\\d+)}");

    /** The bundles as the portal configures them (application.yml, spring.messages). */
    static ResourceBundleMessageSource bundles() {
        ResourceBundleMessageSource m = new ResourceBundleMessageSource();
        m.setBasenames("messages", "messages-jobs", "messages-files", "messages-admin", "messages-terminal");
        m.setDefaultEncoding("UTF-8");
        m.setFallbackToSystemLocale(false);
        return m;
    }

    /** Every enum of the portal's classes that implements Wording. */
    static List<Wording> allWordings() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(Wording.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Wording> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> c = Class.forName(name, false, PhraseBookTest.class.getClassLoader());
                if (c.isEnum() && Wording.class.isAssignableFrom(c)) {
                    for (Object constant : c.getEnumConstants()) {
                        out.add((Wording) constant);
                    }
                }
            }
        }
        return out;
    }

    static TreeSet<Integer> args(String pattern) {
        TreeSet<Integer> out = new TreeSet<>();
        Matcher m = ARG.matcher(pattern);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    @Test
    void everyWordingHasItsFrenchWithTheSameArguments() throws Exception {
        ResourceBundleMessageSource bundles = bundles();
        List<Wording> wordings = allWordings();
        assertThat(wordings).as("the modules declare their sentences as wordings").hasSizeGreaterThan(20);
        TreeSet<String> keys = new TreeSet<>();
        for (Wording w : wordings) {
            assertThat(keys.add(w.key())).as("key %s used twice", w.key()).isTrue();
            String french = bundles.getMessage(w.key(), null, null, Locale.FRENCH);
            assertThat(french).as("French for %s (%s)", w.key(), w.english()).isNotBlank();
            assertThat(args(french)).as("arguments of %s in French", w.key()).isEqualTo(args(w.english()));
            TreeSet<Integer> used = args(w.english());
            assertThat(used.isEmpty() || used.last() == used.size() - 1)
                    .as("arguments of %s are numbered from 0 without gaps", w.key()).isTrue();
            // The sentences are filled by Phrase.fill, not MessageFormat: a doubled apostrophe would show as is.
            assertThat(french).as("French of %s", w.key()).doesNotContain("''");
            assertThat(bundles.getMessage(w.key(), null, null, Locale.ENGLISH))
                    .as("%s is said in English by its wording, not by the English bundle", w.key()).isNull();
        }
    }

    @Test
    void everyPageTextHasItsFrenchWithTheSameArguments() throws IOException {
        for (String basename : List.of("messages", "messages-jobs", "messages-files", "messages-admin",
                "messages-terminal")) {
            java.util.Properties english = properties(basename + ".properties");
            java.util.Properties french = properties(basename + "_fr.properties");
            assertThat(english).as(basename).isNotEmpty();
            for (String key : english.stringPropertyNames()) {
                assertThat(french.getProperty(key)).as("French of %s in %s_fr", key, basename).isNotBlank();
                assertThat(args(french.getProperty(key))).as("arguments of %s in French", key)
                        .isEqualTo(args(english.getProperty(key)));
            }
        }
    }

    static java.util.Properties properties(String resource) throws IOException {
        java.util.Properties p = new java.util.Properties();
        try (var in = PhraseBookTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            p.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
        }
        return p;
    }

    @Test
    void aPhraseIsSaidInTheUsersLanguageAndInEnglishOtherwise() {
        Wording w = new Wording() {
            public String key() {
                return "dash.quota";
            }

            public String english() {
                return "Quota of '{0}' ({1})";
            }
        };
        Phrase p = Phrase.of(w, "acme", 12);
        assertThat(p.english()).isEqualTo("Quota of 'acme' (12)");
        PhraseBook book = new PhraseBook(bundles());
        assertThat(book.say(p, Locale.FRENCH)).isEqualTo("Quota de acme");
        assertThat(book.say(Phrase.english("As is {0}."), Locale.FRENCH)).isEqualTo("As is {0}.");
        Phrase unknown = new Phrase("no.such.key", List.of("x"), "Unknown x.");
        assertThat(book.say(unknown, Locale.FRENCH)).isEqualTo("Unknown x.");
    }

    @Test
    void anInstantInAReasonIsShownAsThePagesShowTimesWhileItsEnglishKeepsTheIsoForm() {
        java.time.Instant at = java.time.Instant.parse("2026-11-27T07:48:15.382Z");
        Phrase reserved = Phrase.of(fr.catie.vaniila.scheduler.ReasonDetail.RESERVED_FROM,
                Phrase.english("needs 4 nodes"), at);
        assertThat(reserved.english()).isEqualTo("needs 4 nodes; resources are reserved for it from "
                + "2026-11-27T07:48:15.382Z");
        String shown = JobTimes.shown(at);
        assertThat(shown).matches("2026-11-2[67] \\d\\d:48:15");
        PhraseBook book = new PhraseBook(bundles());
        assertThat(book.say(reserved, Locale.ENGLISH)).isEqualTo("needs 4 nodes; resources are reserved for it from "
                + shown);
        assertThat(book.say(reserved, Locale.FRENCH)).isEqualTo("needs 4 nodes ; des ressources lui sont réservées "
                + "à partir de " + shown);
        // Read back from the database, the phrase says the same.
        assertThat(book.say(Phrase.fromMap(reserved.toMap()), Locale.ENGLISH)).endsWith("from " + shown);
    }

    @Test
    void fillPutsEachArgumentInItsPlaceAndLeavesOtherBracesAlone() {
        assertThat(Phrase.fill("{1} then {0}, {\"a\": 1} and {2}", List.of("x", "y"))).isEqualTo("y then x, {\"a\": 1} and {2}");
        assertThat(Phrase.fill("{}{0}{", List.of("z"))).isEqualTo("{}z{");
    }

    @Test
    void aProblemOfSeveralFieldsKeepsEachFieldsPhrase() {
        Problem p = Problem.invalidPhrases(Map.of("cores", Phrase.english("Too many cores.")));
        assertThat(p.getMessage()).isEqualTo("Too many cores.");
        assertThat(p.fieldErrors()).containsEntry("cores", "Too many cores.");
        assertThat(new PhraseBook(bundles()).say(p)).isEqualTo("Too many cores.");
    }
}
