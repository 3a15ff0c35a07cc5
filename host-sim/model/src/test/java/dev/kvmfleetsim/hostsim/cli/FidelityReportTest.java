package dev.kvmfleetsim.hostsim.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fidelity report command writes every comparison table, and refuses bad arguments. */
class FidelityReportTest {
    @Test
    void writesTheA1A6A7Tables(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("fidelity.md");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int status = FidelityReport.run(
                new String[] {"--seeds", "2", "--duration-ms", "10", out.toString()},
                new PrintStream(stdout, true, StandardCharsets.UTF_8),
                System.err);
        assertThat(status).isZero();
        String md = Files.readString(out);
        assertThat(md).contains("## A1").contains("## A6").contains("## A7").contains("--seeds 2");
        List<String> a1Rows = md.lines()
                .filter(l -> l.matches("\\| (dedup|vips|dbench)_like \\| [234] \\|.*"))
                .toList();
        assertThat(a1Rows).hasSize(9).allMatch(l -> l.contains("±"));
    }

    @Test
    void aLagCreditMarginRunIsNamedInTheReportAndItsRegenerateCommand(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("k.md");
        int status = FidelityReport.run(
                new String[] {"--seeds", "2", "--duration-ms", "10", "--lag-credit-k", "0.25", out.toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                System.err);
        assertThat(status).isZero();
        assertThat(Files.readString(out)).contains("sched.lag_credit_k 0.25").contains("--lag-credit-k 0.25");
        assertThat(FidelityReport.run(new String[] {"--lag-credit-k", "small"}, System.out, System.err))
                .isEqualTo(2);
    }

    @Test
    void rejectsBadArguments() throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(FidelityReport.run(new String[] {"--seeds", "x"}, System.out, e))
                .isEqualTo(2);
        assertThat(FidelityReport.run(new String[] {"--seeds", "0"}, System.out, e))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--seeds");
    }

    @Test
    void confidenceIntervalUsesStudentT() {
        // mean 2, sample sd 1, n 3: half-width 4.303 * 1 / sqrt(3) = 2.48
        assertThat(FidelityReport.ci(List.of(1.0, 2.0, 3.0))).isEqualTo("+2.00% ± 2.48");
        assertThat(FidelityReport.ci(List.of(-1.5))).isEqualTo("-1.50%");
    }
}
