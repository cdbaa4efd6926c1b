package dev.lifeguard;

import dev.lifeguard.cli.Commands;

/**
 * Lifeguard: the service ({@link Service}), or with {@code history}, {@code plan}, {@code status}, {@code resume},
 * {@code --help} or {@code --version} first, that command ({@link Commands}).
 */
public final class Lifeguard {
    public static void main(String[] args) throws Exception {
        System.exit(Commands.handles(args) ? Commands.run(args) : Service.run(args));
    }
}
