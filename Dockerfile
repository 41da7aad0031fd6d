# The Vaniila image: the portal by default, the node agent with the argument `agent`.
# Its build steps are the README's (JDK 17, Node.js 20 with npm, `./mvnw -B -DskipTests package`);
# ansible/tests/check_dockerfile.py fails CI when the two drift apart.

# Build stage: Node.js 20 from its official image, the JDK 17 from Debian, the Maven wrapper.
FROM node:20-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jdk-headless \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN ./mvnw -B -DskipTests package

# Runtime stage: a Java 17 runtime, curl for the health check, and nothing of the build.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless curl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# The portal runs as an unprivileged system account: PostgreSQL (the embedded one) refuses to run as
# root, and a web server has no business being root. Its uid stays below 20001, where the portal's
# Unix accounts for users start.
RUN groupadd --system --gid 10001 vaniila \
 && useradd --system --uid 10001 --gid vaniila --home-dir /var/lib/vaniila --create-home \
      --shell /usr/sbin/nologin vaniila \
 && install -d -o vaniila -g vaniila -m 0755 /home/vaniila
# /home/vaniila: the users' workspaces (vaniila.workspaces.root), a volume shared with the agents.
COPY --from=build /src/target/vaniila.jar /opt/vaniila/vaniila.jar
ENV VANIILA_HOME=/var/lib/vaniila
USER vaniila
WORKDIR /var/lib/vaniila
VOLUME /var/lib/vaniila
# 8080: web workspace, REST API and agent gateway; 2222: SSH.
EXPOSE 8080 2222
HEALTHCHECK --interval=10s --timeout=5s --start-period=180s --retries=3 \
  CMD curl -fsS "http://localhost:${SERVER_PORT:-8080}/actuator/health" || exit 1
ENTRYPOINT ["java", "-jar", "/opt/vaniila/vaniila.jar"]
