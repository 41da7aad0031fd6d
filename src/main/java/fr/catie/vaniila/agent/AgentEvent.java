package fr.catie.vaniila.agent;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * An event from the agent to the portal. Every event carries the agent's increasing {@code seq}; the agent keeps
 * it (in its state file) until the portal acknowledges a {@code seq} at least as high, and resends it otherwise.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = AgentEvent.Started.class, name = "STARTED"),
    @JsonSubTypes.Type(value = AgentEvent.Exited.class, name = "EXITED"),
    @JsonSubTypes.Type(value = AgentEvent.LaunchFailed.class, name = "LAUNCH_FAILED"),
    @JsonSubTypes.Type(value = AgentEvent.Metrics.class, name = "METRICS")})
public sealed interface AgentEvent {

    /** The event's position in this agent's stream, from 1. */
    long seq();

    /** The launch it is about. */
    LaunchId launchId();

    /** The launch's job. */
    JobId jobId();

    /** When it happened. */
    Instant at();

    /** The launch's processes started; {@code pid} is the job's process group. */
    record Started(long seq, LaunchId launchId, JobId jobId, Instant at, long pid) implements AgentEvent {
    }

    /**
     * The launch ended. {@code exitCode} is the job's status as its shell saw it (128+N when killed by signal N,
     * in which case {@code signal} names it); null when it could not be learnt (the wrapper was killed).
     */
    record Exited(long seq, LaunchId launchId, JobId jobId, Instant at, Integer exitCode, String signal,
            ExitReason reason) implements AgentEvent {
    }

    /** The launch could not start; nothing ran. {@code message} says why and what to change. */
    record LaunchFailed(long seq, LaunchId launchId, JobId jobId, Instant at, String message) implements AgentEvent {
    }

    /** One line of the job's {@code metrics.jsonl}, a JSON object. */
    record Metrics(long seq, LaunchId launchId, JobId jobId, Instant at, JsonNode metrics) implements AgentEvent {
    }
}
