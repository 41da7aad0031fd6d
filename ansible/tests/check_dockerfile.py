"""Checks that the Dockerfile builds the way the README says (no Docker engine runs in CI).

The README (and docs/deployment.md) tell a developer how to build: a JDK 17, Node.js 20 with npm,
and a Maven wrapper command that packages target/vaniila.jar. The image must do the same, or the
image and the documented build drift apart. Checked:
  1. every Maven wrapper command the Dockerfile RUNs is a build command the documents give;
  2. every packaging command of the documents (./mvnw ... package) is RUN by the Dockerfile;
  3. the Dockerfile's JDK and Node.js majors are the documents' (and the pom's java.version);
  4. the runtime stage takes target/vaniila.jar, the jar the documents run, runs as a non-root
     USER, and has a HEALTHCHECK on /actuator/health.
-B (batch mode) and -q only change Maven's console output, so they are ignored in the comparison.

Usage: python3 ansible/tests/check_dockerfile.py [REPO]; exit 1 with the differences.
"""
import os
import re
import sys

QUIET_FLAGS = {"-B", "--batch-mode", "-q", "--quiet", "--no-transfer-progress", "-ntp"}


def normalise(command):
    words = [w for w in command.split() if w not in QUIET_FLAGS]
    return " ".join(words)


def dockerfile_runs(text):
    """The RUN instructions, continuation lines joined, split on && and ;."""
    joined = re.sub(r"\\\n", " ", text)
    commands = []
    for line in joined.splitlines():
        m = re.match(r"\s*RUN\s+(.*)", line)
        if m:
            commands += [c.strip() for c in re.split(r"&&|;", m.group(1)) if c.strip()]
    return commands


def document_commands(text):
    """Commands in the document's fenced sh/shell/bash blocks and `inline code`, split on && and ;
    (a subshell's parentheses dropped)."""
    commands = []
    for block in re.findall(r"```(?:sh|shell|bash|console)?\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split(" #")[0].strip().lstrip("$ ").strip()
            commands += [c.strip().strip("()").strip() for c in re.split(r"&&|;", line) if c.strip()]
    for code in re.findall(r"`([^`\n]+)`", text):
        commands += [c.strip().strip("()").strip() for c in re.split(r"&&|;", code) if c.strip()]
    return commands


def main():
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    read = lambda name: open(os.path.join(repo, name), encoding="utf-8").read()
    dockerfile = read("Dockerfile")
    documents = {name: read(name) for name in ("README.md", "docs/deployment.md")
                 if os.path.exists(os.path.join(repo, name))}
    problems = []
    checked = []

    docs_mvnw = {normalise(c) for text in documents.values() for c in document_commands(text)
                 if c.startswith("./mvnw")}
    docs_package = {c for c in docs_mvnw if re.search(r"\bpackage\b", c)}
    image_mvnw = [normalise(c) for c in dockerfile_runs(dockerfile) if c.startswith("./mvnw")]
    if not image_mvnw:
        problems.append("the Dockerfile RUNs no ./mvnw command: it must build the jar as the README does")
    for c in image_mvnw:
        if c in docs_mvnw:
            checked.append("Dockerfile build step '%s' is documented" % c)
        else:
            problems.append("the Dockerfile RUNs '%s' (quiet flags ignored), which neither %s gives; documented: %s"
                            % (c, " nor ".join(documents), sorted(docs_mvnw)))
    if not docs_package:
        problems.append("neither %s gives a './mvnw ... package' build command" % " nor ".join(documents))
    for c in sorted(docs_package):
        if c in image_mvnw:
            checked.append("documented build '%s' is RUN by the Dockerfile" % c)
        else:
            problems.append("the documents build with '%s' but the Dockerfile does not RUN it (it RUNs %s)"
                            % (c, image_mvnw))

    readme = documents.get("README.md", "")
    jdk_doc = re.search(r"JDK (\d+)", readme)
    node_doc = re.search(r"Node\.js (\d+)", readme)
    jdk_image = re.findall(r"openjdk-(\d+)-jdk|temurin:(\d+)-jdk|maven:[^ ]*(?:jdk|temurin)-(\d+)", dockerfile)
    jdk_image = {n for t in jdk_image for n in t if n}
    node_image = set(re.findall(r"FROM\s+node:(\d+)", dockerfile)) | set(re.findall(r"setup_(\d+)\.x", dockerfile))
    pom_java = re.search(r"<java.version>(\d+)</java.version>", read("pom.xml"))
    for what, doc, image in (("JDK", jdk_doc, jdk_image), ("Node.js", node_doc, node_image)):
        if not doc:
            problems.append("README.md names no %s version ('%s NN')" % (what, what))
        elif image != {doc.group(1)}:
            problems.append("README.md asks for %s %s, the Dockerfile builds with %s %s"
                            % (what, doc.group(1), what, sorted(image) or "none"))
        else:
            checked.append("%s %s in README.md and Dockerfile" % (what, doc.group(1)))
    if pom_java and jdk_doc and pom_java.group(1) != jdk_doc.group(1):
        problems.append("pom.xml compiles for Java %s, README.md asks for JDK %s"
                        % (pom_java.group(1), jdk_doc.group(1)))

    copy = re.search(r"COPY\s+--from=\S+\s+\S*?(target/vaniila\.jar)\s", dockerfile)
    if not copy or "target/vaniila.jar" not in readme:
        problems.append("the runtime stage must COPY --from the build stage target/vaniila.jar, the jar README.md runs")
    else:
        checked.append("the image runs target/vaniila.jar, the jar README.md runs")
    stages = re.split(r"^FROM\s", dockerfile, flags=re.M)
    runtime = stages[-1]
    user = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    if not user or user[-1] in ("root", "0"):
        problems.append("the runtime stage must switch to a non-root USER")
    else:
        checked.append("the image runs as user '%s'" % user[-1])
    if not re.search(r"^HEALTHCHECK\s.*?/actuator/health", runtime, re.M | re.S):
        problems.append("the runtime stage needs a HEALTHCHECK on /actuator/health")
    else:
        checked.append("the image has a HEALTHCHECK on /actuator/health")

    for line in checked:
        print("  ok: " + line)
    for line in problems:
        print("  FAIL: " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
