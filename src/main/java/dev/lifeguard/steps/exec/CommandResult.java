package dev.lifeguard.steps.exec;

import java.util.List;

/**
 * A finished program: its argument list, exit code and output, each stream kept within
 * {@link BoundedOutput#LIMIT}; where more was written, the text holds a line saying how much was
 * cut there.
 *
 * @param cut bytes of standard output and error together that the program wrote and that were not kept
 */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr, long cut) {

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Whether some of the output was cut to keep it within the bound. */
    public boolean wasCut() {
        return cut > 0;
    }

    /** Standard output and error together, for matching messages such as "not found". */
    public String output() {
        return stdout + "\n" + stderr;
    }

    /** The tail of the output, where tools print their errors and results, and whether output was cut. */
    public String excerpt() {
        String text = (stdout + (stderr.isBlank() ? "" : " | stderr: " + stderr)).strip().replaceAll("\\s+", " ");
        String shown = text.length() > 300 ? "…" + text.substring(text.length() - 300) : text;
        return cut > 0 ? shown + " (output cut: " + cut + " bytes not kept)" : shown;
    }
}
