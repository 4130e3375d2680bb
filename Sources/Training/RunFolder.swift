import Foundation

/// The run folder of `regula train`: what it may overwrite, and who is writing to it.
///
/// A folder *holds a run* when it has a checkpoint or a metrics log. Training into such a folder
/// needs `--resume` (continue it) or `--force` (discard it); without either, an explicit `--out`
/// is refused and the default folder (`runs/<model>`) moves on to the first free numbered one
/// (`runs/<model>-2`, `-3`, …), so a second run never overwrites a first. While a run trains, its
/// folder has a `run.lock` with the process id; a lock whose process is gone is stale and ignored.
struct RunFolder {
    let path: String

    static let runFiles = ["model.safetensors", "train_state.safetensors", "best.safetensors", "model_ema.safetensors",
                           "metrics.csv", "metrics.jsonl", "run.json"]
    var lockPath: String { path + "/run.lock" }

    /// TensorBoard event files (`--force` removes them with the run; `--resume` adds one).
    var eventFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasPrefix("events.out.tfevents.") }
    }

    /// True when the folder has a checkpoint or a metrics log.
    var holdsRun: Bool {
        Self.runFiles.contains { FileManager.default.fileExists(atPath: path + "/" + $0) }
    }

    /// The process training into this folder now, if any (a lock whose process is alive).
    var runningProcess: Int32? {
        guard let text = try? String(contentsOfFile: lockPath, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else { return nil }
        if pid == getpid() { return nil }
        // Signal 0 checks existence; EPERM means it exists but belongs to someone else.
        return kill(pid, 0) == 0 || errno == EPERM ? pid : nil
    }

    /// Chooses the folder to train into and makes it ready (created, locked, emptied with `force`).
    ///
    /// - Parameters:
    ///   - requested: `--out`, or nil for `runs/<model>`.
    ///   - note: receives a line when the default folder is taken and a numbered one is used.
    static func prepare(requested: String?, model: String, resume: Bool, force: Bool,
                        note: (String) -> Void) throws -> RunFolder {
        var folder = RunFolder(path: requested ?? "runs/" + model)
        if let pid = folder.runningProcess {
            throw TrainError.io("\(folder.path) is in use by another regula train (process \(pid)); wait for it, "
                + "choose another --out, or delete \(folder.lockPath) if that process is not a trainer")
        }
        if resume {
            guard folder.holdsRun else {
                throw TrainError.checkpoint("\(folder.path) holds no run to resume; train without --resume first")
            }
        } else if folder.holdsRun {
            if force {
                for f in runFiles + folder.eventFiles { try? FileManager.default.removeItem(atPath: folder.path + "/" + f) }
            } else if requested != nil {
                throw TrainError.io("\(folder.path) already holds a run (checkpoint or metrics); "
                    + "continue it with --resume, discard it with --force, or choose another --out")
            } else {
                var n = 2
                while RunFolder(path: folder.path + "-\(n)").holdsRun || RunFolder(path: folder.path + "-\(n)").runningProcess != nil { n += 1 }
                note("\(folder.path) holds an earlier run; this one goes to \(folder.path)-\(n)")
                folder = RunFolder(path: folder.path + "-\(n)")
            }
        }
        do { try FileManager.default.createDirectory(atPath: folder.path, withIntermediateDirectories: true) } catch {
            throw TrainError.io("cannot create the run folder \(folder.path): \(error.localizedDescription)")
        }
        try folder.lock()
        return folder
    }

    /// Creates `run.lock` with this process's id, exclusively: of two trainers started on the
    /// same folder at the same moment, one gets the lock and the other is refused. A lock left by
    /// a process that is gone is replaced.
    func lock() throws {
        if runningProcess == nil { try? FileManager.default.removeItem(atPath: lockPath) }
        let fd = open(lockPath, O_CREAT | O_EXCL | O_WRONLY, 0o644)
        guard fd >= 0 else {
            if errno == EEXIST {
                throw TrainError.io("\(path) is in use by another regula train (its run.lock appeared just now); choose another --out")
            }
            throw TrainError.io("cannot write \(lockPath): \(String(cString: strerror(errno)))")
        }
        let text = Array("\(getpid())\n".utf8)
        _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    func unlock() {
        try? FileManager.default.removeItem(atPath: lockPath)
    }
}
