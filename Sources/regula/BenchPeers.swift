import ArgumentParser
import Foundation

/// What a peer script printed for one workload (one JSON line).
struct PeerFigures {
    var train: Double
    var eval: Double
    var peakMB: Double
}

/// Runs the peer scripts of bench/ (PyTorch: torch_peer.py; JAX/XLA: jax_peer.py) with a given
/// Python, one workload per process, so that `regula bench` can interleave them with its own runs.
struct PeerRunner {
    var python: String
    var folder: String
    var data: String
    var threads: Int
    var seconds: Double

    func torch(_ workload: String) throws -> PeerFigures {
        let line = try runProcess(URL(fileURLWithPath: python), [
            folder + "/torch_peer.py", "--data", data, "--only", workload, "--threads", String(threads),
            "--seconds", String(seconds), "--eval-batch", "500",
        ])
        return try parse(line)
    }

    /// The JAX peer of the MLP, or nil when the Python has no jax.
    func jax() throws -> PeerFigures? {
        guard (try? runProcess(URL(fileURLWithPath: python), ["-c", "import jax"], quiet: true)) != nil else { return nil }
        let line = try runProcess(URL(fileURLWithPath: python), [folder + "/jax_peer.py", "--data", data, "--seconds", String(seconds)])
        return try parse(line)
    }

    private func parse(_ output: String) throws -> PeerFigures {
        guard let line = output.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let train = object["samples_per_s"] as? Double else {
            Out.error("error: a peer printed '\(output)', not a JSON line with samples_per_s\n")
            throw ExitCode.io
        }
        return PeerFigures(train: train, eval: object["eval_samples_per_s"] as? Double ?? 0,
                           peakMB: object["peak_rss_mb"] as? Double ?? 0)
    }
}
