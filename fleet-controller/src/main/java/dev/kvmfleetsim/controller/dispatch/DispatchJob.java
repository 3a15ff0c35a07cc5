package dev.kvmfleetsim.controller.dispatch;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Runs a dispatch round every {@code fleet-controller.dispatch.interval}. Everything it needs is in the database,
 * so a restarted controller simply continues: runs that were in flight when it stopped come back when their leases
 * expire.
 */
@ApplicationScoped
public class DispatchJob {
    private static final Logger LOG = Logger.getLogger(DispatchJob.class);

    private final RunDispatcher dispatcher;

    DispatchJob(RunDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    @Scheduled(
            identity = "fleet-controller-dispatch",
            every = "${fleet-controller.dispatch.interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void dispatch() {
        try {
            dispatcher.dispatchOnce();
        } catch (RuntimeException e) {
            LOG.warnf("dispatch round failed, the next round retries: %s", e.getMessage());
            LOG.debug("dispatch round failure", e);
        }
    }
}
