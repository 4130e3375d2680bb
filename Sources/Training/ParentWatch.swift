import Foundation

/// A trainer started by `regula sweep` stops, with a checkpoint, when the sweep is gone.
///
/// A sweep killed with SIGKILL cannot stop its children; without this, each would train on as an
/// orphan holding its folder's `run.lock`, and the restarted sweep would have to wait for it.
/// The sweep passes its process id in `REGULA_SWEEP_PARENT`; once this process's parent is no
/// longer that process (it was re-parented), `parentGone` becomes true and the training loop
/// stops at the end of its step, as on SIGTERM, so the restarted sweep resumes it.
public enum ParentWatch {
    nonisolated(unsafe) public static var parentGone = false

    public static let environmentKey = "REGULA_SWEEP_PARENT"

    public static func start() {
        guard let text = ProcessInfo.processInfo.environment[environmentKey], let parent = Int32(text) else { return }
        let thread = Thread {
            while getppid() == parent { usleep(100_000) }
            parentGone = true
        }
        thread.start()
    }
}
