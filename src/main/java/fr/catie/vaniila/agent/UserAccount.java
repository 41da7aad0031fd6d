package fr.catie.vaniila.agent;

/**
 * The Unix account a launch runs as, assigned by the portal.
 *
 * @param name      the login name
 * @param uid       the uid; never 0 (a job never runs as root)
 * @param gid       the primary gid
 * @param workspace the user's workspace, an absolute directory; the job's files must lie inside it
 */
public record UserAccount(String name, int uid, int gid, String workspace) {
}
