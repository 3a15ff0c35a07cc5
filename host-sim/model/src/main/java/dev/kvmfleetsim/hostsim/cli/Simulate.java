package dev.kvmfleetsim.hostsim.cli;

import dev.kvmfleetsim.hostsim.model.InvalidScenarioException;
import dev.kvmfleetsim.hostsim.model.SimulationResult;
import dev.kvmfleetsim.hostsim.model.Simulator;
import dev.kvmfleetsim.hostsim.model.scenario.Scenario;
import dev.kvmfleetsim.hostsim.model.scenario.ScenarioValidator;
import dev.kvmfleetsim.hostsim.scenario.ScenarioJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code simulate}: runs one scenario file on this machine, without Kafka or PostgreSQL, and prints the
 * {@code perf kvm stat}-style report, or the full result as JSON with {@code --json}.
 */
public final class Simulate {
    static final String USAGE = "usage: simulate [--json] [--print-scenario] [--seed N] <scenario.json|.yaml>";

    private Simulate() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the process exit status (0 ok, 2 bad input). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        boolean json = false;
        boolean printScenario = false;
        Long seed = null;
        String file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json":
                    json = true;
                    break;
                case "--print-scenario":
                    printScenario = true;
                    break;
                case "--seed":
                    if (i + 1 >= args.length) {
                        err.println("--seed needs a value\n" + USAGE);
                        return 2;
                    }
                    try {
                        seed = Long.parseLong(args[++i]);
                    } catch (NumberFormatException e) {
                        err.println("--seed: not an integer: " + args[i]);
                        return 2;
                    }
                    break;
                case "-h":
                case "--help":
                    out.println(USAGE);
                    return 0;
                default:
                    if (args[i].startsWith("-") || file != null) {
                        err.println("unexpected argument: " + args[i] + "\n" + USAGE);
                        return 2;
                    }
                    file = args[i];
            }
        }
        if (file == null) {
            err.println(USAGE);
            return 2;
        }
        Scenario scenario;
        try {
            String text = Files.readString(Path.of(file));
            boolean yaml = file.endsWith(".yaml") || file.endsWith(".yml");
            scenario = ScenarioJson.read(text, yaml);
        } catch (NoSuchFileException e) {
            err.println(file + ": no such file");
            return 2;
        } catch (IOException e) {
            err.println(file + ": cannot read: " + e.getMessage());
            return 2;
        } catch (InvalidScenarioException e) {
            err.println(file + ": invalid scenario, nothing was run:");
            for (ScenarioValidator.Violation v : e.violations()) {
                err.println("  " + v);
            }
            return 2;
        }
        if (seed != null) {
            scenario = scenario.withSeed(seed);
        }
        if (printScenario) {
            out.println(ScenarioJson.write(scenario));
            return 0;
        }
        SimulationResult result = Simulator.run(scenario);
        out.print(json ? ScenarioJson.write(result) + "\n" : PerfKvmStatReport.render(result));
        return 0;
    }
}
