# Lifeguard container image for ECS.
# Build stage: packages target/lifeguard.jar. Tests run in CI, not here: the build neither fetches
# test-scoped dependencies nor compiles the tests. `mvn package` would resolve the test scope even
# with -Dmaven.test.skip=true (its test-compile and test steps ask for it before skipping), so the
# build runs only the steps that make the jar: resources, compile, jar, the shade execution that
# builds lifeguard.jar, and the execution that stubs the AWS SDK requests it keeps for the
# verifier alone (src/build/BareRequests.java). Run once on the pom alone, they fetch exactly the
# plugins and dependencies the real run needs, in a layer that stays cached until pom.xml changes.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY src/build ./src/build
RUN mvn -B -q -Dmaven.test.skip=true resources:resources compiler:compile jar:jar shade:shade@default exec:exec@bare-requests
COPY src/main ./src/main
# The context holds no .git: the commit `lifeguard.jar --version` prints comes in as a build
# argument (docker build --build-arg LIFEGUARD_COMMIT=$(git rev-parse --short=12 HEAD) .), else "unknown".
ARG LIFEGUARD_COMMIT=unknown
RUN printf '%s\n' "${LIFEGUARD_COMMIT}" > src/main/resources/dev/lifeguard/commit.txt
RUN mvn -B -q -Dmaven.test.skip=true resources:resources compiler:compile jar:jar shade:shade@default exec:exec@bare-requests

# Runtime stage: a JRE, the jar, and the editable routes/ and config/ next to it.
FROM eclipse-temurin:17-jre
# tini is PID 1: it forwards SIGTERM to the JVM and reaps the knife and salt processes Lifeguard
# starts, whose exit the JVM does not always wait for. Run without -g, so that a SIGTERM reaches
# the JVM alone and running steps get their grace period.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system lifeguard && useradd --system --gid lifeguard --home-dir /opt/lifeguard lifeguard
WORKDIR /opt/lifeguard
COPY --from=build /src/target/lifeguard.jar ./lifeguard.jar
COPY routes ./routes
COPY config ./config
COPY container/make-class-archive container/healthcheck ./bin/
# Class-data sharing: one training run of the service records the classes it loads at start-up
# (bin/make-class-archive), and every start maps them instead of loading and verifying them
# again. The archive belongs to this lifeguard.jar; the JVM ignores it, and starts as before, if
# the jar differs.
RUN bin/make-class-archive lifeguard.jsa lifeguard.jar
USER lifeguard
# Settings come from the task definition: LIFEGUARD_QUEUE, LIFEGUARD_DEAD_LETTER_QUEUE,
# LIFEGUARD_TABLE, AWS_REGION, and credentials from the task role. Mount a volume over
# /opt/lifeguard/routes or /opt/lifeguard/config to change routing or profiles without a rebuild.
# On SIGTERM running steps get lifeguard.shutdown.grace-seconds (20 s) and the rest is handed
# back; give the task a stopTimeout of at least 30 s. JVM options are in config/jvm.options.
ENTRYPOINT ["/usr/bin/tini", "--", "java", "-XX:SharedArchiveFile=lifeguard.jsa", "@config/jvm.options", "-jar", "lifeguard.jar"]
# Ready: GET /observe/health/ready on 127.0.0.1:${LIFEGUARD_HEALTH_PORT:-9876} answers 200
# (bin/healthcheck; the image has no curl). The start period covers a cold start on a small task.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["/opt/lifeguard/bin/healthcheck"]
