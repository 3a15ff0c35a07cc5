package dev.kvmfleetsim.deploy.k8s;

import java.util.List;

/**
 * NetworkPolicies point at pods that exist: each policy's podSelector selects pods of its kustomization, each peer
 * (without a namespaceSelector, i.e. in the same namespace) selects pods deployed from deploy/k8s, and each port a
 * rule opens is one the pods on the receiving side listen on. The same for the peers of Strimzi's listeners.
 */
final class NetworkPolicyChecks {
    private NetworkPolicyChecks() {}

    static void check(CheckContext context) {
        List<Workload> here = context.set().workloads();
        List<Workload> anywhere = context.set().workloadsAnywhere();
        for (Manifest policy : context.set().all("NetworkPolicy")) {
            LabelSelector target = LabelSelector.of(Tree.at(policy.content(), "spec", "podSelector"));
            List<Workload> targets =
                    here.stream().filter(w -> target.matches(w.labels())).toList();
            if (targets.isEmpty()) {
                context.problem(policy, "spec.podSelector", target + " selects no pod");
            }
            if (Tree.list(policy.content(), "spec", "policyTypes").isEmpty()) {
                context.problem(policy, "spec.policyTypes", "missing: say Ingress and/or Egress explicitly");
            }
            rules(context, policy, "ingress", "from", targets, anywhere);
            rules(context, policy, "egress", "to", targets, anywhere);
        }
        for (Manifest kafka : context.set().all("Kafka")) {
            List<Object> listeners = Tree.list(kafka.content(), "spec", "kafka", "listeners");
            for (int i = 0; i < listeners.size(); i++) {
                peers(
                        context,
                        kafka,
                        "spec.kafka.listeners[" + i + "].networkPolicyPeers",
                        Tree.list(listeners.get(i), "networkPolicyPeers"),
                        anywhere);
            }
        }
    }

    private static void rules(
            CheckContext context,
            Manifest policy,
            String direction,
            String peersField,
            List<Workload> targets,
            List<Workload> anywhere) {
        List<Object> rules = Tree.list(policy.content(), "spec", direction);
        for (int i = 0; i < rules.size(); i++) {
            String at = "spec." + direction + "[" + i + "]";
            List<Object> peers = Tree.list(rules.get(i), peersField);
            List<Workload> selected = peers(context, policy, at + "." + peersField, peers, anywhere);
            // Ports are those of the receiving pods: the policy's own pods for ingress, the peers for egress.
            List<Workload> receivers = direction.equals("ingress") ? targets : selected;
            if (receivers.isEmpty()) {
                continue;
            }
            List<Object> ports = Tree.list(rules.get(i), "ports");
            for (int p = 0; p < ports.size(); p++) {
                Long port = Tree.integer(ports.get(p), "port");
                if (port != null && receivers.stream().noneMatch(w -> w.ports().contains(port))) {
                    context.problem(
                            policy,
                            at + ".ports[" + p + "].port",
                            port + " is not a port of "
                                    + receivers.stream().map(Workload::ref).toList());
                }
            }
        }
    }

    /** The pods the same-namespace peers select; a peer that selects none is a finding. */
    private static List<Workload> peers(
            CheckContext context, Manifest owner, String at, List<Object> peers, List<Workload> anywhere) {
        List<Workload> selected = new java.util.ArrayList<>();
        for (int j = 0; j < peers.size(); j++) {
            Object peer = peers.get(j);
            if (Tree.at(peer, "namespaceSelector") != null || Tree.at(peer, "ipBlock") != null) {
                continue;
            }
            LabelSelector selector = LabelSelector.of(Tree.at(peer, "podSelector"));
            List<Workload> matches =
                    anywhere.stream().filter(w -> selector.matches(w.labels())).toList();
            if (matches.isEmpty()) {
                context.problem(owner, at + "[" + j + "].podSelector", selector + " selects no pod under deploy/k8s");
            }
            selected.addAll(matches);
        }
        return selected;
    }
}
