package fr.catie.vaniila.files;

import fr.catie.vaniila.wording.Wording;

/**
 * What the workspaces say when a path given to another module (a job's working folder, a training dataset) leaves
 * the workspace; the French is in messages-files_fr.properties under {@code refusal.files.<NAME>}.
 */
public enum PathRefusal implements Wording {
    OUTSIDE_WORKSPACE("The path '{0}' is outside your workspace {1}: give a path inside it.");

    private final String english;

    PathRefusal(String english) {
        this.english = english;
    }

    @Override
    public String key() {
        return "refusal.files." + name();
    }

    @Override
    public String english() {
        return english;
    }
}
