package fr.catie.vaniila.agent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The agent is a plain program the portal embeds: it must not depend on Spring nor on the portal's modules. */
class AgentArchitectureTest {

    private final JavaClasses agent = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("fr.catie.vaniila.agent");

    @Test
    void noSpringInTheAgent() {
        noClasses().that().resideInAPackage("fr.catie.vaniila.agent..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta.servlet..")
                .because("the agent runs on nodes as a plain JVM program and is embedded by the portal")
                .check(agent);
    }

    @Test
    void theAgentTalksToThePortalOnlyThroughTheProtocol() {
        noClasses().that().resideInAPackage("fr.catie.vaniila.agent..")
                .should().dependOnClassesThat().resideInAnyPackage("fr.catie.vaniila.jobs..",
                        "fr.catie.vaniila.nodes..", "fr.catie.vaniila.scheduler..", "fr.catie.vaniila.web..",
                        "fr.catie.vaniila.api..")
                .because("the agent and the portal share only docs/agent-protocol.md")
                .check(agent);
    }
}
