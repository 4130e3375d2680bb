import Foundation
@testable import Report
import XCTest

/// The terminal's table, golden: rank order, final and best metrics, sparsity, and the
/// settings that tell the runs apart.
final class TextTableTests: XCTestCase {
    func testTableRanksByValidationAndShowsWhatDiffers() throws {
        let dir = Fixtures.temporary("table")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let shared = ["optimizer": "adam lr 0.001"]
        try Fixtures.run(dir + "/baseline", epochs: 3, gap: 0.6, scale: 0.3, settings: shared)
        try Fixtures.run(dir + "/l1", epochs: 3, gap: 0.1, scale: 0.2, zeros: 4,
                         settings: shared.merging(["layer 0 dense": "weight: l1 1e-05"]) { a, _ in a })
        try Fixtures.run(dir + "/no-val", epochs: 2, gap: 0, scale: 0.3, validation: false, settings: shared)
        let table = renderTextTable(try ReportInputs.load([dir + "/baseline", dir + "/l1", dir + "/no-val"]))
        XCTAssertEqual(table, """
            #  run       epochs  train loss  train acc  val loss  val acc      best   zero  |w|<1e-3  settings
            1  l1             3      0.5000      80.0%    0.5750    76.7%  76.7% @3  40.1%     41.0%  layer 0 dense=weight: l1 1e-05
            2  baseline       3      0.5000      80.0%    0.9500    60.0%  60.0% @3   0.0%      1.1%
            3  no-val         2      0.6667      73.3%         -        -  73.3% @2   0.0%      1.1%

            """)
    }
}
