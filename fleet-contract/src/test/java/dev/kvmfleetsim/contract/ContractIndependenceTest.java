package dev.kvmfleetsim.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The contract depends on no module of this project (issue 11): a model change must not be a wire change, and a
 * reader of the contract must not link the simulator. Checked on the pom (surefire runs in this module's directory).
 */
class ContractIndependenceTest {
    @Test
    void thePomHasNoDependencyOnAnotherModuleOfTheProject() throws Exception {
        var pom = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(Path.of("pom.xml").toFile());
        NodeList dependencies = pom.getElementsByTagName("dependency");
        List<String> ours = new ArrayList<>();
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element d = (Element) dependencies.item(i);
            String group =
                    d.getElementsByTagName("groupId").item(0).getTextContent().trim();
            if (group.equals("dev.kvmfleetsim")) {
                ours.add(d.getElementsByTagName("artifactId")
                        .item(0)
                        .getTextContent()
                        .trim());
            }
        }
        assertThat(dependencies.getLength()).isPositive();
        assertThat(ours).isEmpty();
    }
}
