package fr.catie.vaniila;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one entry point of the jar. The first argument picks the role; with no role (or when the
 * first argument is an option) the portal starts. Only the portal role starts a Spring context:
 * the other roles are plain programs so that they start fast and stay small.
 */
public final class Vaniila {

    /** A role of the jar: a program taking the remaining command-line arguments, returning an exit code. */
    @FunctionalInterface
    interface Role {
        int run(String[] args) throws Exception;
    }

    private static final Map<String, Role> ROLES = new TreeMap<>();

    static {
        ROLES.put("portal", args -> {
            PortalApplication.start(args);
            return -1; // keeps running: the web server's threads hold the JVM
        });
        ROLES.put("simulate", args -> fr.catie.vaniila.simulator.SimulateCommand.run(args, System.out, System.err));
        ROLES.put("agent", fr.catie.vaniila.agent.AgentMain::run);
    }

    private Vaniila() {
    }

    public static void main(String[] args) throws Exception {
        String role = args.length == 0 || args[0].startsWith("-") ? "portal" : args[0];
        String[] rest = args.length == 0 || args[0].startsWith("-") ? args : Arrays.copyOfRange(args, 1, args.length);
        if (role.equals("help") || role.equals("--help")) {
            System.out.println(usage());
            return;
        }
        Role program = ROLES.get(role);
        if (program == null) {
            System.err.println("vaniila: unknown role '" + role + "'.\n" + usage());
            System.exit(2);
            return;
        }
        int code = program.run(rest);
        if (code >= 0) {
            System.exit(code);
        }
    }

    static String usage() {
        return "usage: java -jar vaniila.jar [ROLE] [OPTIONS]\nroles: " + String.join(", ", ROLES.keySet())
                + " (default: portal)";
    }
}
