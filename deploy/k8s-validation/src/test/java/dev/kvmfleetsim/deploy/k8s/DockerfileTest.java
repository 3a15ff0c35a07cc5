package dev.kvmfleetsim.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each service's src/main/docker/Dockerfile.jvm is the Quarkus fast-jar layout on a pinned base image, runs as the
 * user the manifests' securityContext names (185), and exposes the service's quarkus.http.port.
 */
class DockerfileTest {

    static Stream<String> services() {
        return ServiceConfiguration.all(DeployTree.PATHS).stream().map(ServiceConfiguration::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("services")
    void quarkusLayoutAsUser185OnTheHttpPort(String name) throws IOException {
        ServiceConfiguration service = ServiceConfiguration.all(DeployTree.PATHS).stream()
                .filter(s -> s.name().equals(name))
                .findFirst()
                .orElseThrow();
        Path dockerfile = DeployTree.PATHS.resolve(service.module() + "/src/main/docker/Dockerfile.jvm");
        String text = Files.readString(dockerfile);
        assertThat(text)
                .contains("COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/")
                .contains("COPY --chown=185 target/quarkus-app/*.jar /deployments/")
                .contains("COPY --chown=185 target/quarkus-app/app/ /deployments/app/")
                .contains("COPY --chown=185 target/quarkus-app/quarkus/ /deployments/quarkus/")
                .containsPattern("(?m)^USER 185$")
                .containsPattern("(?m)^EXPOSE " + service.httpPort() + "$")
                .containsPattern("(?m)^FROM [^\\s:]+:[0-9][^\\s]*$")
                .contains("docker build -f " + service.module() + "/src/main/docker/Dockerfile.jvm -t kvm-fleet-sim/"
                        + service.name() + ":");
        Manifest deployment = DeployTree.readSet(DeployTree.dir("deploy/k8s/base"))
                .find("Deployment", service.name())
                .orElseThrow();
        assertThat(Tree.integer(deployment.content(), "spec", "template", "spec", "securityContext", "runAsUser"))
                .as("the pod runs as the image's USER")
                .isEqualTo(185L);
    }
}
