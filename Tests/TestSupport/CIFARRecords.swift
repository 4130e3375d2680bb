/// One record of the CIFAR binary format: the label byte(s), then pixel (c, y, x) =
/// (label·7 + c·31 + y·3 + x) mod 256 of a 3×32×32 image (the last label byte is the one used),
/// so every image and every channel differs in a way a test can recompute.
public func cifarRecord(_ labels: [UInt8]) -> [UInt8] {
    let l = Int(labels.last ?? 0)
    var r = labels
    for c in 0..<3 { for y in 0..<32 { for x in 0..<32 { r.append(UInt8((l * 7 + c * 31 + y * 3 + x) % 256)) } } }
    return r
}
