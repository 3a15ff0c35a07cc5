package dev.kvmfleetsim.deploy.k8s;

/** Every cross-check over one kustomization's objects; the findings collect all problems. */
final class CrossChecks {
    private CrossChecks() {}

    static void run(CheckContext context) {
        WorkloadChecks.check(context);
        ServiceConfigChecks.check(context);
        NetworkPolicyChecks.check(context);
        KafkaChecks.check(context);
        PostgresChecks.check(context);
        SweepTriggerChecks.check(context);
        MonitoringChecks.check(context);
    }
}
