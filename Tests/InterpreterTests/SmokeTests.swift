import XCTest
@testable import Interpreter

final class SmokeTests: XCTestCase {
    func testMLPTrainsOnAFewBatches() throws {
        let model = try loadSpec("mnist_mlp")
        var o = testOptions("smoke")
        o.limit = 2560
        o.testLimit = 1000
        o.epochs = 1
        o.progress = .lines
        o.logEvery = 5
        let r = try train(model: model, options: o) { print($0, terminator: "") }
        print(r)
    }
}
