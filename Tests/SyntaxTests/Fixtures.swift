/// One model written in both formats, using every feature of each: the readers must agree.
enum Fixtures {
    static let yaml = """
    regula: 1
    model: "kitchen sink"
    input: {shape: [3, 32, seq], dtype: float32, data_format: channels_first}
    defaults: {weight_decay: 5e-4, l1: 0.0, spectral_norm: true}
    blocks:
      resblock:
        params: {filters: 16, survival: 1.0, act: relu}
        layers:
          - residual:
              body:
                - conv2d: {filters: "${filters}", kernel: 3, padding: same}
                - batchnorm
                - {relu: {}, name: r1}
                - conv2d: {filters: "${filters * 2 // 3 + -1}", kernel: [3, 3], note: "filters"}
              shortcut: [identity]
              stochastic_depth: ${survival}
      plain:
        params: [width]
        layers: [{dense: "${max(width, 2) ** 2}"}]
    layers:
      - conv2d: {filters: 16, kernel: 3}
        name: stem
      - repeat:
          count: 3
          as: i
          layers:
            - resblock: {filters: "${16 * 2 ** i}", survival: "${1 - 0.5 * i / 2}"}
      - shake_shake:
          branches:
            - - relu
              - dropout: 0.5
            - - tanh
      - add: {from: [stem, input]}
      - reshape: [-1, 4]
      - dense: 10
        from: stem
        expect: [10]
      - "odd kind": {"odd key": "two words", x: null, y: "true", z: [a, 1, 2.5, false]}
    loss: {kind: cross_entropy, label_smoothing: 0.1}
    train: {optimizer: {kind: sgd, lr: 0.1, momentum: 0.9}, epochs: 3, schedule: [1, 2]}
    data: {path: data/mnist.csv, "batch size": 32}
    """

    static let dsl = """
    # The same model as Fixtures.yaml.
    regula 1
    model "kitchen sink"
    input [3, 32, seq](dtype: float32, data_format: channels_first)
    defaults {weight_decay: 5e-4, l1: 0.0, spectral_norm: true}

    block resblock(filters = 16, survival = 1.0, act = relu) {
      residual(
        body: {
          conv2d(filters: filters, kernel: 3, padding: same)
          batchnorm
          r1 = relu
          conv2d(filters: filters * 2 // 3 + -1, kernel: [3, 3], note: "filters")
        },
        shortcut: { identity },
        stochastic_depth: survival)
    }

    block plain(width) {
      dense(max(width, 2) ** 2)
    }

    layers {
      stem = conv2d(filters: 16, kernel: 3)
      repeat 3 as i {
        resblock(filters: 16 * 2 ** i, survival: 1 - 0.5 * i / 2)
      }
      shake_shake(branches: [{ relu; dropout(0.5) }, { tanh }])
      add(from: [stem, input])
      reshape([-1, 4])
      dense(10) <- stem expect [10]   # the classifier
      "odd kind"("odd key": "two words", x: null, y: "true", z: [a, 1, 2.5, false])
    }
    loss {kind: cross_entropy, label_smoothing: 0.1}
    train {
      optimizer: {kind: sgd, lr: 0.1, momentum: 0.9}
      epochs: 3, schedule: [1, 2]
    }
    data {path: "data/mnist.csv", "batch size": 32}
    """

    /// A few rows of the checker's kinds table (SyntaxTests cannot import Check).
    static func primaryArgument(_ kind: String) -> String? {
        ["dense": "units", "conv2d": "filters", "dropout": "p", "reshape": "shape"][kind]
    }
}
