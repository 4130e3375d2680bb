import Foundation
import Runtime

/// `run.json` in the run folder: which spec and seed made the run and its regularization
/// settings as text, so `regula report` can put them beside the run's metrics.
struct RunInfo {
    var model: String
    var spec: String?
    var seed: UInt64
    /// Setting → value (`optimizer.weight_decay_mode`, `ema_decay`, `layer dense1` → `p 0.5`).
    var regularization: [String: String]

    init(recipe: TrainingRecipe, options: TrainOptions) {
        model = recipe.name
        spec = options.specPath
        seed = recipe.seed
        var r: [String: String] = [:]
        for (layer, text) in options.regularization { r["layer " + layer] = text }
        r["optimizer"] = "\(recipe.optimizer.kind.rawValue) lr \(recipe.optimizer.lr), \(recipe.optimizer.decay.rawValue) weight decay"
        if let c = recipe.clipGradNorm { r["clip_grad_norm"] = "\(c)" }
        if let n = recipe.gradientNoise { r["gradient_noise"] = "eta \(n.eta), gamma \(n.gamma)" }
        if let e = recipe.emaDecay { r["ema_decay"] = "\(e)" }
        if let e = recipe.earlyStopping { r["early_stopping"] = "\(e.monitor), patience \(e.patience)" }
        if !recipe.data.augmentations.isEmpty { r["augmentation"] = "\(recipe.data.augmentations.count) step(s)" }
        if recipe.data.validationSplit > 0 { r["validation_split"] = "\(recipe.data.validationSplit)" }
        regularization = r
    }

    var json: String {
        let q = SafeTensors.quote
        let settings = regularization.keys.sorted().map { "    \(q($0)): \(q(regularization[$0] ?? ""))" }
        return "{\n  \"model\": \(q(model)),\n  \"spec\": \(spec.map(q) ?? "null"),\n  \"seed\": \(seed),\n"
            + "  \"regularization\": {\n" + settings.joined(separator: ",\n") + "\n  }\n}\n"
    }

    func write(to folder: String) throws {
        do { try json.write(toFile: folder + "/run.json", atomically: true, encoding: .utf8) } catch {
            throw TrainError.io("cannot write \(folder)/run.json: \(error)")
        }
    }
}
