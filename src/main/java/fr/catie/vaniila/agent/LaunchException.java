package fr.catie.vaniila.agent;

/** A launch could not start; nothing of it runs. The message is sent to the portal as {@code LAUNCH_FAILED}. */
final class LaunchException extends Exception {

    private static final long serialVersionUID = 1L;

    LaunchException(String message) {
        super(message);
    }

    LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
