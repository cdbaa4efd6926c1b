package dev.lifeguard.steps.exec;

import java.util.List;

/** A finished program: its argument list, exit code and (bounded) output. */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr) {

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Standard output and error together, for matching messages such as "not found". */
    public String output() {
        return stdout + "\n" + stderr;
    }

    /** The tail of the output, where tools print their errors and results. */
    public String excerpt() {
        String text = (stdout + (stderr.isBlank() ? "" : " | stderr: " + stderr)).strip().replaceAll("\\s+", " ");
        return text.length() > 300 ? "…" + text.substring(text.length() - 300) : text;
    }
}
