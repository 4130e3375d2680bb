import Foundation

/// Writes a TensorBoard event file (`events.out.tfevents.<seconds>.<host>.regula`) so that
/// `tensorboard --logdir <run folder>` shows a run's scalars and weight histograms.
///
/// Each record is TFRecord framing around an `Event` protocol buffer
/// (tensorflow/core/util/event.proto, framework/summary.proto):
/// `uint64 length, uint32 masked_crc32c(length), data, uint32 masked_crc32c(data)`, little-endian.
/// The first event carries `file_version = "brain.Event:2"`. A resumed run gets a new file that
/// opens with a `SessionLog START` at the resumed step: TensorBoard then drops the events of
/// later steps that the earlier file holds (written after the checkpoint), so nothing doubles.
public final class TensorBoardWriter {
    public let path: String
    private let file: UnsafeMutablePointer<FILE>

    /// Opens a new event file in `folder`, named after every event file already there so that
    /// TensorBoard (which reads a folder's files in name order) reads it last.
    ///
    /// - Parameter resumingAt: the step a resumed run continues from; nil for a fresh run.
    public init(folder: String, resumingAt: Int? = nil, now: Date = Date()) throws {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        var seconds = Int(now.timeIntervalSince1970)
        let prefix = "events.out.tfevents."
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in existing where name.hasPrefix(prefix) {
            if let t = Int(name.dropFirst(prefix.count).prefix { $0 != "." }) { seconds = max(seconds, t + 1) }
        }
        path = folder + "/" + prefix + String(seconds) + "." + host + ".regula"
        guard let f = fopen(path, "wb") else { throw CheckpointError.io(path: path, reason: String(cString: strerror(errno))) }
        file = f
        write(event(step: 0) { $0.string(3, "brain.Event:2") })
        if let step = resumingAt {
            // Event.session_log (field 7) = SessionLog { status = START (1) }. TensorBoard keeps
            // the events with a step below the START's, so it goes at the first step not yet trained.
            write(event(step: step + 1) { $0.message(7) { $0.int64(1, 1) } })
        }
        flush()
    }

    deinit { fclose(file) }

    /// A scalar (`Summary.Value.simple_value`) at `step`.
    public func scalar(_ tag: String, _ value: Double, step: Int) {
        write(event(step: step) { e in
            e.message(5) { $0.message(1) { v in v.string(1, tag); v.float(2, Float(value)) } }
        })
    }

    /// A histogram (`Summary.Value.histo`) of `values` at `step`; non-finite values are left out.
    public func histogram(_ tag: String, _ values: [Float], step: Int, buckets: Int = 30) {
        let h = TensorBoardHistogram(values, buckets: buckets)
        write(event(step: step) { e in
            e.message(5) { $0.message(1) { v in
                v.string(1, tag)
                v.message(5) {
                    $0.double(1, h.min); $0.double(2, h.max); $0.double(3, h.num); $0.double(4, h.sum)
                    $0.double(5, h.sumSquares); $0.packedDouble(6, h.limits); $0.packedDouble(7, h.counts)
                }
            } }
        })
    }

    /// Pushes buffered events to the file (the loop calls it at every epoch end).
    public func flush() { fflush(file) }

    /// An `Event` with the wall time and step, and the fields `body` adds.
    private func event(step: Int, _ body: (inout ProtoWriter) -> Void) -> [UInt8] {
        var e = ProtoWriter()
        e.double(1, Date().timeIntervalSince1970)
        e.int64(2, Int64(step))
        body(&e)
        return e.bytes
    }

    private func write(_ data: [UInt8]) {
        let record = Self.record(data)
        _ = record.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    }

    /// One TFRecord: length, its masked CRC-32C, the data, its masked CRC-32C.
    static func record(_ data: [UInt8]) -> [UInt8] {
        var length: [UInt8] = []
        for k in 0..<8 { length.append(UInt8((UInt64(data.count) >> (8 * k)) & 0xFF)) }
        func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        return length + le32(CRC32C.masked(length)) + data + le32(CRC32C.masked(data))
    }
}

/// The numbers of a `HistogramProto`: equal-width buckets between the smallest and largest
/// value, each given by its right edge (`bucket_limit`), as TensorBoard's histogram plugin reads them.
struct TensorBoardHistogram {
    var min = 0.0, max = 0.0, num = 0.0, sum = 0.0, sumSquares = 0.0
    var limits: [Double] = []
    var counts: [Double] = []

    init(_ values: [Float], buckets: Int) {
        let finite = values.lazy.filter(\.isFinite).map(Double.init)
        guard let lo = finite.min(), let hi = finite.max() else { return }
        (min, max) = (lo, hi)
        let n = Swift.max(buckets, 1)
        let width = hi > lo ? (hi - lo) / Double(n) : 1
        counts = [Double](repeating: 0, count: n)
        for v in finite {
            counts[Swift.min(Int((v - lo) / width), n - 1)] += 1
            num += 1; sum += v; sumSquares += v * v
        }
        limits = (1...n).map { lo + Double($0) * width }
        limits[n - 1] = Swift.max(hi, limits[n - 1])
    }
}
