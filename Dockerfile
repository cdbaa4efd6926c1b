# Lifeguard container image for ECS.
# Build stage: compiles and packages target/lifeguard.jar (tests run in CI, not here).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

# Runtime stage: a JRE, the jar, and the editable routes/ and config/ next to it.
FROM eclipse-temurin:17-jre
RUN groupadd --system lifeguard && useradd --system --gid lifeguard --home-dir /opt/lifeguard lifeguard
WORKDIR /opt/lifeguard
COPY --from=build /src/target/lifeguard.jar ./lifeguard.jar
COPY routes ./routes
COPY config ./config
USER lifeguard
# Settings come from the task definition: LIFEGUARD_QUEUE, LIFEGUARD_DEAD_LETTER_QUEUE,
# LIFEGUARD_TABLE, AWS_REGION, and credentials from the task role. Mount a volume over
# /opt/lifeguard/routes or /opt/lifeguard/config to change routing or profiles without a rebuild.
# On SIGTERM running steps get lifeguard.shutdown.grace-seconds (20 s) and the rest is handed
# back; give the task a stopTimeout of at least 30 s. JVM options are in config/jvm.options.
ENTRYPOINT ["java", "@config/jvm.options", "-jar", "lifeguard.jar"]
