package fr.catie.vaniila.agent;

import fr.catie.vaniila.agent.AgentMessages.SyncAnswer;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON form of the protocol's messages and of the agent's state file (Jackson 3). Unknown fields are ignored,
 * so that a newer portal can add fields without breaking older agents. Thread-safe.
 */
public final class AgentJson {

    /** The mapper for protocol messages and state. */
    public static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private AgentJson() {
    }

    /**
     * Reads a sync answer. A command that cannot be read becomes {@link Command.Unreadable} rather than failing the
     * whole answer, so that the other commands still run and the broken one is answered.
     *
     * @throws JacksonException when the answer itself is not JSON
     */
    public static SyncAnswer readSyncAnswer(String json) {
        JsonNode root = MAPPER.readTree(json);
        long ackSeq = root.path("ackSeq").asLong(0);
        List<Command> commands = new ArrayList<>();
        for (JsonNode node : root.path("commands")) {
            commands.add(readCommand(node));
        }
        return new SyncAnswer(ackSeq, commands);
    }

    /** Reads one command; never throws for a well-formed JSON object, see {@link Command.Unreadable}. */
    public static Command readCommand(JsonNode node) {
        CommandId commandId = new CommandId(node.path("commandId").asString("missing-command-id"));
        String type = node.path("type").asString("");
        LaunchId launchId = null;
        JobId jobId = null;
        try {
            JsonNode launchNode = node.path("launch");
            String id = type.equals("LAUNCH") ? launchNode.path("launchId").asString(null)
                    : node.path("launchId").asString(null);
            launchId = id == null ? null : new LaunchId(id);
            long job = (type.equals("LAUNCH") ? launchNode : node).path("jobId").asLong(0);
            jobId = job > 0 ? new JobId(job) : null;
            switch (type) {
                case "LAUNCH":
                    return new Command.Launch(commandId, MAPPER.treeToValue(launchNode, LaunchSpec.class));
                case "STOP":
                    if (launchId == null) {
                        return new Command.Unreadable(commandId, null, null, "STOP without launchId");
                    }
                    String reason = node.path("reason").asString("CANCELLED");
                    ExitReason exitReason = reason.equals("TIMEOUT") ? ExitReason.TIMEOUT : ExitReason.CANCELLED;
                    return new Command.Stop(commandId, launchId, jobId, exitReason, node.path("graceSeconds").asInt(10));
                default:
                    return new Command.Unreadable(commandId, launchId, jobId,
                            "command type '" + type + "' is not known to this agent (LAUNCH or STOP)");
            }
        } catch (JacksonException | IllegalArgumentException e) {
            return new Command.Unreadable(commandId, launchId, jobId, "launch could not be read: " + e.getMessage());
        }
    }
}
