import Foundation
import Training

/// Launches the pending variants as child `regula train` processes, at most `jobs` at a time,
/// records each one's status in `sweep.json` as it changes, and draws the progress lines.
struct Scheduler {
    let folder: String
    var sweep: SweepFile
    let dsl: Bool
    let options: SweepOptions
    let print: (String) -> Void

    struct Running {
        var process: Process
        var started: Date
        var log: FileHandle
    }

    private var running: [Int: Running] = [:]
    private(set) var stopping = false
    private var forwarded = false
    private var waitingNoted: Set<Int> = []
    private var view: ProgressView

    init(folder: String, sweep: SweepFile, dsl: Bool, options: SweepOptions, print: @escaping (String) -> Void) {
        self.folder = folder
        self.sweep = sweep
        self.dsl = dsl
        self.options = options
        self.print = print
        view = ProgressView(live: options.live, print: print)
    }

    var threadsPerJob: Int { max(1, options.cores / max(1, options.jobs)) }

    mutating func run() throws {
        let done = sweep.variants.filter { $0.status == .done }.count
        print("sweep \(sweep.model): \(sweep.variants.count) variants in \(folder)"
              + (done > 0 ? ", \(done) already done" : "") + ", \(options.jobs) at a time, \(threadsPerJob) threads each\n")
        var queue = sweep.variants.indices.filter { sweep.variants[$0].status != .done }
        while !queue.isEmpty || !running.isEmpty {
            if !stopping && options.stopRequested() {
                stopping = true
                view.event("stopping: the running variants write a checkpoint; run the same command again to continue")
            }
            if stopping && !forwarded, let signal = options.forwardSignal() {
                forwarded = true
                for r in running.values { kill(r.process.processIdentifier, signal) }
            }
            try reap()
            while !stopping && running.count < options.jobs, let next = queue.first(where: { lockHolder($0) == nil }) {
                queue.removeAll { $0 == next }
                try launch(next)
            }
            if !stopping && running.isEmpty, let blocked = queue.first, let pid = lockHolder(blocked), waitingNoted.insert(blocked).inserted {
                view.event("waiting for process \(pid), an earlier trainer, to leave \(sweep.variants[blocked].folder)")
            }
            if stopping && running.isEmpty { break }
            view.draw(running.keys.sorted().map { line(for: $0) })
            usleep(200_000)
        }
        view.draw([])
        try save()
    }

    private func variantFolder(_ k: Int) -> String { folder + "/" + sweep.variants[k].folder }

    /// The live process a variant's `run.lock` names (a trainer of an earlier, killed sweep that
    /// is still writing its checkpoint), if any.
    private func lockHolder(_ k: Int) -> Int32? {
        guard let text = try? String(contentsOfFile: variantFolder(k) + "/run.lock", encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 else { return nil }
        return kill(pid, 0) == 0 || errno == EPERM ? pid : nil
    }

    private mutating func launch(_ k: Int) throws {
        let dir = variantFolder(k)
        let fm = FileManager.default
        let resume = fm.fileExists(atPath: dir + "/train_state.safetensors")
        let holdsRun = ["model.safetensors", "metrics.csv", "metrics.jsonl"].contains { fm.fileExists(atPath: dir + "/" + $0) }
        var arguments = ["train", dir + "/" + (dsl ? "spec.regula" : "spec.yaml"), "--out", dir, "--progress", "lines",
                         "--threads", String(threadsPerJob)] + options.trainArguments
        if resume { arguments.append("--resume") } else if holdsRun { arguments.append("--force") }
        let logPath = dir + "/train.log"
        if resume ? !fm.fileExists(atPath: logPath) : true { _ = fm.createFile(atPath: logPath, contents: nil) }
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw DriverError("cannot write \(logPath)") }
        log.seekToEndOfFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: options.executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment[ParentWatch.environmentKey] = String(getpid())
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw DriverError("cannot start \(options.executable): \(error.localizedDescription)") }
        running[k] = Running(process: process, started: Date(), log: log)
        sweep.variants[k].status = .running
        view.event("[\(k + 1)/\(sweep.variants.count)] \(sweep.variants[k].name): " + (resume ? "resuming" : "training"))
        try save()
    }

    private mutating func reap() throws {
        for (k, r) in running where !r.process.isRunning {
            running[k] = nil
            r.log.closeFile()
            let seconds = Date().timeIntervalSince(r.started) + (sweep.variants[k].seconds ?? 0)
            let status = r.process.terminationStatus
            let signalled = r.process.terminationReason == .uncaughtSignal || status == 130 || status == 143
            let name = "[\(k + 1)/\(sweep.variants.count)] \(sweep.variants[k].name)"
            sweep.variants[k].seconds = seconds
            if status == 0 && r.process.terminationReason == .exit {
                let metrics = RunMetrics(folder: variantFolder(k))
                sweep.variants[k].status = .done
                sweep.variants[k].bestVal = metrics.best?.value
                sweep.variants[k].metric = metrics.best?.metric
                view.event("\(name): done in \(String(format: "%.1f", seconds)) s" + (metrics.best.map { ", best \($0.metric) \(formatMetric($0.metric, $0.value))" } ?? ""))
            } else if stopping && signalled {
                sweep.variants[k].status = .pending
                view.event("\(name): stopped with a checkpoint")
            } else {
                sweep.variants[k].status = .failed
                let tail = ((try? String(contentsOfFile: variantFolder(k) + "/train.log", encoding: .utf8)) ?? "")
                    .split(separator: "\n").suffix(3).map { "    " + $0 }.joined(separator: "\n")
                view.event("\(name): failed (exit \(status)); see \(variantFolder(k))/train.log\n" + tail)
            }
            try save()
        }
    }

    private func save() throws {
        do { try sweep.write(to: folder + "/sweep.json") } catch {
            throw DriverError("cannot write \(folder)/sweep.json: \(error.localizedDescription)")
        }
    }

    /// `[2/6] dropout=0.2_weight_decay=0  epoch 1/2  step 200/469  ETA 12 s  val_acc 97.12%`.
    private func line(for k: Int) -> String {
        let dir = variantFolder(k)
        var text = "[\(k + 1)/\(sweep.variants.count)] \(sweep.variants[k].name)"
        guard let r = running[k] else { return text }
        let p = TrainProgress(log: dir + "/train.log")
        if let epoch = p.epoch, let epochs = p.epochs {
            text += "  epoch \(epoch)/\(epochs)"
            if let step = p.step, let steps = p.steps { text += "  step \(step)/\(steps)" }
            let elapsed = Date().timeIntervalSince(r.started)
            if p.fraction > 0.01 { text += "  ETA " + duration(elapsed * (1 - p.fraction) / p.fraction) }
        } else {
            text += "  starting"
        }
        let metrics = RunMetrics(folder: dir)
        if let v = metrics.lastValAcc { text += "  val_acc " + formatMetric("val_acc", v) }
        else if let v = metrics.lastValLoss { text += "  val_loss " + formatMetric("val_loss", v) }
        return text
    }
}

func formatMetric(_ metric: String, _ value: Double) -> String {
    metric.hasSuffix("acc") ? String(format: "%.2f%%", value * 100) : String(format: "%.4f", value)
}

func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s < 60 ? "\(s) s" : s < 3600 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m"
}

/// Where a child trainer is, from the last progress line of its log (`epoch 1/3  step 100/469 ...`
/// or `epoch 1/3: loss ...`).
struct TrainProgress {
    var epoch: Int?
    var epochs: Int?
    var step: Int?
    var steps: Int?
    /// The line is an epoch's end (`epoch 2/3: loss ...`).
    var epochDone = false

    init(log path: String) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("epoch ") }) else { return }
        let words = line.split(separator: " ")
        func pair(_ w: Substring) -> (Int, Int)? {
            let p = w.trimmingCharacters(in: CharacterSet(charactersIn: ":")).split(separator: "/")
            guard p.count == 2, let a = Int(p[0]), let b = Int(p[1]) else { return nil }
            return (a, b)
        }
        if words.count > 1, let (e, n) = pair(words[1]) {
            (epoch, epochs) = (e, n)
            epochDone = words[1].hasSuffix(":")
        }
        if let s = words.firstIndex(of: "step"), s + 1 < words.count, let (a, b) = pair(words[s + 1]) { (step, steps) = (a, b) }
    }

    /// How much of the run is done, from 0 to 1.
    var fraction: Double {
        guard let epoch, let epochs, epochs > 0 else { return 0 }
        let within = epochDone ? 1 : (step.flatMap { s in steps.map { Double(s) / Double(max($0, 1)) } }) ?? 0
        return min(1, (Double(epoch - 1) + within) / Double(epochs))
    }
}

/// The progress lines of the running variants: redrawn in place on a terminal; elsewhere only
/// the events (started, done, failed) and a line per variant when its epoch changes.
struct ProgressView {
    let live: Bool
    let print: (String) -> Void
    private var drawn = 0
    private var shown: [String] = []
    private var lastPlain: [String: String] = [:]

    init(live: Bool, print: @escaping (String) -> Void) {
        self.live = live
        self.print = print
    }

    mutating func event(_ text: String) {
        clear()
        print(text + "\n")
    }

    mutating func draw(_ lines: [String]) {
        if live {
            // Redrawn only when something changed, so a terminal does not flicker five times a second.
            if lines == shown && drawn == lines.count { return }
            shown = lines
            clear()
            for l in lines { print(l + "\n") }
            drawn = lines.count
            return
        }
        for l in lines {
            // The key is the variant, the value its epoch: a plain line when the epoch changes.
            let key = String(l.prefix { $0 != " " })
            let epoch = l.range(of: "epoch ").map { String(l[$0.upperBound...].prefix { $0 != " " }) } ?? ""
            if lastPlain[key] != epoch, !epoch.isEmpty {
                lastPlain[key] = epoch
                print(l + "\n")
            }
        }
    }

    private mutating func clear() {
        guard live, drawn > 0 else { return }
        print("\u{1B}[\(drawn)A\u{1B}[J")
        drawn = 0
    }
}
