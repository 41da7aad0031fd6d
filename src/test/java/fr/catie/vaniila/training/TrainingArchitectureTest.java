package fr.catie.vaniila.training;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The collective layer and the data readers move floats; only the worker and the models know DJL. */
class TrainingArchitectureTest {

    private final JavaClasses classes = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("fr.catie.vaniila.training");

    @Test
    void theCollectiveLayerAndTheDataReadersDoNotDependOnDjl() {
        noClasses().that().resideInAnyPackage("..training.collective..", "..training.data..")
                .should().dependOnClassesThat().resideInAnyPackage("ai.djl..")
                .check(classes);
    }

    @Test
    void theCollectiveLayerKnowsNothingOfTraining() {
        noClasses().that().resideInAPackage("..training.collective..")
                .should().dependOnClassesThat().resideInAnyPackage("fr.catie.vaniila.training", "..training.data..",
                        "..training.model..")
                .check(classes);
    }

    @Test
    void trainingDoesNotReachIntoThePortal() {
        noClasses().that().resideInAPackage("fr.catie.vaniila.training..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..")
                .check(classes);
    }
}
