import XCTest
import Check
@testable import Interpreter

final class ScratchTests: XCTestCase {
    func testDecayAll() throws {
        var m = try loadSpec("mnist_cnn")
        for i in m.nodes.indices { for j in m.nodes[i].params.indices where m.nodes[i].params[j].trainable {
            m.nodes[i].params[j].regularization.weightDecay = 5e-4
        } }
        var o = testOptions("decayall")
        o.writeCheckpoints = false
        var first: [Double] = []
        o.stepCallback = { if $0.step <= 12 { first.append($0.loss) } }
        let r = try train(model: m, options: o) { _ in }
        print("DECAYALL", r.testAccuracy ?? -1, first)
    }
}
