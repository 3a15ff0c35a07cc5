package dev.kvmfleetsim.hostsim.model.sched;

import java.util.Arrays;

/**
 * The cgroup tree of the cpu controller ({@code struct task_group}s): group 0 is the root task group, every other group
 * has a parent with a smaller id and its {@code cpu.weight} as {@code tg->shares} (1024 for the default weight 100).
 * Immutable; the arrays are copied in and out.
 *
 * @param parent parent group of each group; {@code parent[0] == -1}
 * @param shares {@code tg->shares} of each group (unscaled, 1024 = nice 0); the root's entry is unused
 */
public record TaskGroups(int[] parent, long[] shares) {
    public static final int ROOT = 0;
    /** {@code tg->shares} of a group at the default {@code cpu.weight} (100). */
    public static final long DEFAULT_SHARES = Eevdf.NICE_0_LOAD;

    public TaskGroups {
        parent = parent.clone();
        shares = shares.clone();
        if (parent.length == 0 || parent.length != shares.length || parent[0] != -1) {
            throw new IllegalArgumentException("group 0 must be the root and every group needs shares");
        }
        for (int g = 1; g < parent.length; g++) {
            if (parent[g] < 0 || parent[g] >= g || shares[g] < CfsHierarchy.MIN_SHARES) {
                throw new IllegalArgumentException("group " + g + ": parent must precede it, shares >= MIN_SHARES");
            }
        }
    }

    /** No task groups: every task in the root cfs_rq. */
    public static TaskGroups flat() {
        return new TaskGroups(new int[] {-1}, new long[] {0});
    }

    /** Root, then one group per VM (ids 1..vms), each with {@code tg->shares} 1024 (KubeVirt's pod cgroup). */
    public static TaskGroups perVm(int vms) {
        int[] parent = new int[vms + 1];
        long[] shares = new long[vms + 1];
        parent[0] = -1;
        for (int i = 1; i <= vms; i++) {
            shares[i] = DEFAULT_SHARES;
        }
        return new TaskGroups(parent, shares);
    }

    /**
     * libvirt's layout: root → machine.slice (id 1) → one scope per VM (ids 2..vms+1) → one {@code vcpuN} group per
     * vCPU thread (ids after the scopes, VM-major; see {@link #perVcpuLeaf}), all at the default weight.
     */
    public static TaskGroups perVcpu(int[] vcpusPerVm) {
        int vms = vcpusPerVm.length;
        int n = 2 + vms + Arrays.stream(vcpusPerVm).sum();
        int[] parent = new int[n];
        long[] shares = new long[n];
        Arrays.fill(shares, DEFAULT_SHARES);
        parent[0] = -1;
        shares[0] = 0;
        parent[1] = ROOT;
        int next = 2 + vms;
        for (int vm = 0; vm < vms; vm++) {
            parent[2 + vm] = 1;
            for (int i = 0; i < vcpusPerVm[vm]; i++) {
                parent[next++] = 2 + vm;
            }
        }
        return new TaskGroups(parent, shares);
    }

    /** The {@code vcpuN} group of vCPU {@code index} of VM {@code vm} in {@link #perVcpu}. */
    public static int perVcpuLeaf(int[] vcpusPerVm, int vm, int index) {
        int g = 2 + vcpusPerVm.length;
        for (int i = 0; i < vm; i++) {
            g += vcpusPerVm[i];
        }
        return g + index;
    }

    public int count() {
        return parent.length;
    }

    @Override
    public int[] parent() {
        return parent.clone();
    }

    @Override
    public long[] shares() {
        return shares.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TaskGroups t && Arrays.equals(parent, t.parent) && Arrays.equals(shares, t.shares);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(parent) + Arrays.hashCode(shares);
    }

    @Override
    public String toString() {
        return "TaskGroups" + Arrays.toString(parent);
    }
}
