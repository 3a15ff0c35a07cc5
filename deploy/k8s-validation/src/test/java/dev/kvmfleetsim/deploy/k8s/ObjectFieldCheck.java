package dev.kvmfleetsim.deploy.k8s;

/**
 * The field check of one object, whatever its kind: custom resources against their operator's CRD schema, built-in
 * kinds through fabric8's typed model. A kind that neither knows is itself a finding.
 */
final class ObjectFieldCheck {
    private ObjectFieldCheck() {}

    static void check(Manifest m, CrdSchemas schemas, Findings findings) {
        if (m.content().get("apiVersion") == null || m.content().get("kind") == null) {
            findings.add(m, "apiVersion/kind", "missing");
            return;
        }
        var schema = schemas.of(m);
        if (schema.isPresent()) {
            StructuralSchemaValidator.validate(m, schema.get(), findings);
        } else if (schemas.isCustomGroup(m.group())) {
            findings.add(m, "apiVersion", m.apiVersion() + " " + m.kind() + " is not served by the vendored CRDs");
        } else {
            BuiltInObjectCheck.check(m, findings);
        }
    }
}
