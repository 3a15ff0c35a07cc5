package dev.kvmfleetsim.hostsim.model.yield;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A hand-written {@link VcpuView} for the directed-yield tests: per-vCPU flags set by the test, a scripted
 * {@code kvm_vcpu_yield_to} result per target (default 1, boosted), and a log of the yield calls. All vCPUs start
 * running in guest mode (not ready, not preempted, not blocking).
 */
public final class FakeVcpus implements VcpuView {
    /** {@code -ESRCH}. */
    public static final int ESRCH = -3;

    private int count;
    private final boolean[] ready;
    private final boolean[] preempted;
    private final boolean[] inKernel;
    private final boolean[] blocking;
    private final boolean[] dyRunnable;
    private final boolean[] pendingPosted;
    private final int[] yieldResult;
    private final List<Integer> yieldCalls = new ArrayList<>();

    public FakeVcpus(int count) {
        this.count = count;
        ready = new boolean[count];
        preempted = new boolean[count];
        inKernel = new boolean[count];
        blocking = new boolean[count];
        dyRunnable = new boolean[count];
        pendingPosted = new boolean[count];
        yieldResult = new int[count];
        Arrays.fill(yieldResult, 1);
    }

    /** Scheduled out while runnable: ready and preempted, at CPL0 ({@code kernel}) or CPL3. */
    public FakeVcpus preempted(int v, boolean kernel) {
        ready[v] = true;
        preempted[v] = true;
        inKernel[v] = kernel;
        blocking[v] = false;
        return this;
    }

    /** Woken from HLT, its task not yet run: ready but not preempted (and no longer blocking). */
    public FakeVcpus woken(int v) {
        ready[v] = true;
        preempted[v] = false;
        inKernel[v] = false;
        blocking[v] = false;
        return this;
    }

    /** Asleep in HLT: blocking, not ready. */
    public FakeVcpus halted(int v) {
        ready[v] = false;
        preempted[v] = false;
        inKernel[v] = false;
        blocking[v] = true;
        return this;
    }

    /** On a pCPU in guest mode: none of the flags. */
    public FakeVcpus running(int v) {
        ready[v] = false;
        preempted[v] = false;
        inKernel[v] = false;
        blocking[v] = false;
        return this;
    }

    public FakeVcpus setReady(int v, boolean value) {
        ready[v] = value;
        return this;
    }

    public FakeVcpus setBlocking(int v, boolean value) {
        blocking[v] = value;
        return this;
    }

    public FakeVcpus setDyRunnable(int v, boolean value) {
        dyRunnable[v] = value;
        return this;
    }

    public FakeVcpus setPendingPosted(int v, boolean value) {
        pendingPosted[v] = value;
        return this;
    }

    /** What {@code kvm_vcpu_yield_to(v)} returns from now on: &gt;0, 0 or {@link #ESRCH}. */
    public FakeVcpus yieldResult(int v, int result) {
        yieldResult[v] = result;
        return this;
    }

    /** Changes {@code online_vcpus} (at most the constructed count). */
    public FakeVcpus setCount(int n) {
        count = n;
        return this;
    }

    /** Targets passed to {@code yieldTo}, in call order. */
    public List<Integer> yieldCalls() {
        return yieldCalls;
    }

    public void clearYieldCalls() {
        yieldCalls.clear();
    }

    @Override
    public int vcpuCount() {
        return count;
    }

    @Override
    public boolean ready(int vcpu) {
        return ready[vcpu];
    }

    @Override
    public boolean preempted(int vcpu) {
        return preempted[vcpu];
    }

    @Override
    public boolean preemptedInKernel(int vcpu) {
        return inKernel[vcpu];
    }

    @Override
    public boolean blocking(int vcpu) {
        return blocking[vcpu];
    }

    @Override
    public boolean dyRunnable(int vcpu) {
        return dyRunnable[vcpu];
    }

    @Override
    public boolean hasPendingPostedInterrupt(int vcpu) {
        return pendingPosted[vcpu];
    }

    @Override
    public int yieldTo(int me, int target) {
        yieldCalls.add(target);
        return yieldResult[target];
    }
}
