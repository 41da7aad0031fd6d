package fr.catie.vaniila;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the scheduler core and the simulator pure: no framework, database, SSH or training imports, and no wall
 * clock (the core takes {@code now} as an argument; the simulator drives it with a simulated clock).
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("fr.catie.vaniila.scheduler", "fr.catie.vaniila.simulator");
    }

    @Test
    void coreAndSimulatorImportNoFrameworkDatabaseSshOrTraining() {
        ArchRule rule = noClasses().that().resideInAnyPackage("fr.catie.vaniila.scheduler..",
                "fr.catie.vaniila.simulator..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "java.sql..", "javax.sql..",
                        "org.apache.sshd..", "ai.djl..", "jakarta.persistence..")
                .because("the core is a pure function of a snapshot and the simulator replays it off-line");
        rule.check(classes);
    }

    @Test
    void coreDoesNotKnowTheSimulator() {
        noClasses().that().resideInAPackage("fr.catie.vaniila.scheduler..")
                .should().dependOnClassesThat().resideInAPackage("fr.catie.vaniila.simulator..")
                .check(classes);
    }

    @Test
    void coreReadsNoClock() {
        noClasses().that().resideInAPackage("fr.catie.vaniila.scheduler..")
                .should().callMethod(Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .orShould().callMethod(Clock.class, "systemUTC")
                .orShould().callMethod(Clock.class, "systemDefaultZone")
                .orShould().callMethod(LocalDateTime.class, "now")
                .orShould().callMethod(LocalDate.class, "now")
                .orShould().callMethod(ZonedDateTime.class, "now")
                .because("the core takes now as an argument, so that the simulator and tests control time")
                .check(classes);
    }

    @Test
    void simulatorReadsNoWallClockForSimulatedTime() {
        // System.nanoTime stays allowed: it measures how long cycles take on this machine, never simulated time.
        noClasses().that().resideInAPackage("fr.catie.vaniila.simulator..")
                .should().callMethod(Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(Clock.class, "systemUTC")
                .orShould().callMethod(Clock.class, "systemDefaultZone")
                .orShould().callMethod(LocalDateTime.class, "now")
                .check(classes);
    }
}
