package org.jresnet.cli;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.Callable;
import org.jresnet.experiments.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jresnet report --runs DIR}: every experiment under DIR on one page (HTML) and in markdown. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Collect every experiment under --runs into DIR/report.html (self-contained, images embedded)"
            + " and DIR/report.md."})
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--runs", description = "Folder the experiments wrote to (their --out; default ${DEFAULT-VALUE}).")
    Path runs = Paths.get("experiments");

    @Override public Integer call() throws Exception {
        Report.Written w = Report.write(runs);
        for (Path p : w.experiments()) System.err.println("found " + p);
        for (Path p : w.missingImages()) {
            System.err.println("jresnet: report: " + p + (java.nio.file.Files.exists(p) ? " cannot be read" : " is missing")
                    + "; its figure is left out");
        }
        for (String s : w.skipped()) System.err.println("jresnet: report: skipped " + s);
        System.out.println("report: " + w.html() + "  markdown: " + w.markdown());
        return 0;
    }
}
