import Foundation

/// SIGINT and SIGTERM during `regula train` and a generated trainer: the handler only records the signal (all a signal
/// handler may safely do); the training loop polls it between steps, writes a checkpoint and
/// returns. A second signal while that happens ends the process at once (the default action),
/// and the previous checkpoint is still whole, since every checkpoint file is written atomically.
public enum Signals {
    nonisolated(unsafe) public static var received: sig_atomic_t = 0

    public static func install() {
        // Touch the variable first: a static's one-time initialization is not safe to run
        // inside a signal handler.
        received = 0
        for s in [SIGINT, SIGTERM] {
            signal(s) { number in
                Signals.received = number
                signal(number, SIG_DFL)
            }
        }
    }

    /// The exit status a shell gives a process ended by signal `number` (130 for SIGINT).
    public static func exitCode(_ number: sig_atomic_t) -> Int32 { 128 + Int32(number) }
}
