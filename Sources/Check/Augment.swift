import Syntax
import Diagnostics

// `data.augment`: the data regularizers, a list applied in order to every training example
// (semantics reference §6). Each item is a bare kind (`- flip`), a kind with its primary argument
// (`- random_crop: 4`) or a kind with named arguments (`- cutout: {size: 8, epochs: 10}`).

/// One augmentation, as the runtime's `Augmentation` (Check does not import the runtime).
public struct AugmentConfig: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// Pad `padding` on every side, crop the original size at a uniform offset.
        case randomCrop(padding: Int)
        /// Reverse the width and/or height axis with probability `p`, each independently.
        case flip(horizontal: Bool, vertical: Bool, p: Double)
        /// Zero one `size`×`size` square, centred uniformly, clipped at the borders.
        case cutout(size: Int)
        /// Rotate by an angle uniform in [−degrees, degrees] about the centre.
        case rotate(degrees: Double)
        /// Shift by up to `fraction` of the width and of the height.
        case translate(fraction: Double)
        /// Magnify by a factor uniform in [1 − fraction, 1 + fraction].
        case zoom(fraction: Double)
        /// torchvision `ColorJitter`: factor ranges (0 leaves an adjustment out), RGB images only.
        case colorJitter(brightness: Double, contrast: Double, saturation: Double, hue: Double)
        /// Mixup: one λ ~ Beta(α, α) per batch mixes each example and its target with a partner's.
        case mixup(alpha: Double, prob: Double)
        /// CutMix: the partner's pixels in a box of area (1 − λ), targets mixed by the box's area.
        case cutmix(alpha: Double, prob: Double)

        /// Mixes the batch's examples with each other (and their targets), rather than one
        /// example at a time.
        public var isMixup: Bool {
            if case .mixup = self { return true }
            return false
        }

        public var isBatchMix: Bool {
            switch self {
            case .mixup, .cutmix: return true
            default: return false
            }
        }
    }

    public var kind: Kind
    /// Applied in the first `epochs` epochs only; nil = every epoch.
    public var epochs: Int?
    /// Mixup's or CutMix's α as a schedule (`alpha: {schedule: linear, …}`); the kind holds its final value.
    public var alphaSchedule: ScalarSchedule? = nil
}

/// The augmentation kinds: name, primary argument, arguments, and what it is.
public struct AugmentKind: Sendable {
    public var name: String
    public var primary: String?
    public var args: [ArgSpec]
    public var doc: String
}

private let epochsArg = ArgSpec("epochs", .int, range: .positive, doc: "apply in the first N epochs only (default: every epoch)")

public let augmentKinds: [AugmentKind] = [
    AugmentKind(name: "random_crop", primary: "padding", args: [
        ArgSpec("padding", .int, range: .positive, required: true, doc: "pixels of black border added on every side before cropping"),
        epochsArg,
    ], doc: "pad, then crop the original size at an offset uniform in {0…2·padding}² (torchvision RandomCrop(size, padding))"),
    AugmentKind(name: "flip", primary: "mode", args: [
        ArgSpec("mode", .choice(["horizontal", "vertical", "both"]), default: .string("horizontal"),
                doc: "the axes flipped; both flips each independently (Keras horizontal_and_vertical)"),
        ArgSpec("p", .number, range: .probability, default: .number(0.5), doc: "probability of flipping an axis"),
        epochsArg,
    ], doc: "mirror images (torchvision RandomHorizontalFlip(p), Keras RandomFlip)"),
    AugmentKind(name: "cutout", primary: "size", args: [
        ArgSpec("size", .int, range: .positive, required: true, doc: "side of the square set to 0 after normalization (the data mean)"),
        epochsArg,
    ], doc: "zero one square per image, centred uniformly over the image and clipped (DeVries & Taylor 2017)"),
    AugmentKind(name: "rotate", primary: "degrees", args: [
        ArgSpec("degrees", .number, range: .positive, required: true,
                doc: "largest angle, in degrees (Keras RandomRotation(f) turns up to f·360°)"),
        epochsArg,
    ], doc: "rotate about the centre by an angle uniform in [−degrees, degrees], bilinear, black outside (torchvision RandomRotation)"),
    AugmentKind(name: "translate", primary: "fraction", args: [
        ArgSpec("fraction", .number, range: .dropRate, required: true, doc: "largest shift as a fraction of the width and of the height"),
        epochsArg,
    ], doc: "shift by amounts uniform in ±fraction of each side, bilinear, black outside (Keras RandomTranslation(f, f), fill_mode constant)"),
    AugmentKind(name: "zoom", primary: "fraction", args: [
        ArgSpec("fraction", .number, range: .dropRate, required: true, doc: "magnification uniform in [1 − fraction, 1 + fraction]"),
        epochsArg,
    ], doc: "magnify or shrink about the centre, bilinear, black outside (Keras RandomZoom(f), fill_mode constant)"),
    AugmentKind(name: "color_jitter", primary: nil, args: [
        ArgSpec("brightness", .number, range: .nonNegative, default: .number(0), doc: "brightness factor uniform in [max(0, 1 − v), 1 + v]"),
        ArgSpec("contrast", .number, range: .nonNegative, default: .number(0), doc: "contrast factor uniform in [max(0, 1 − v), 1 + v]"),
        ArgSpec("saturation", .number, range: .nonNegative, default: .number(0), doc: "saturation factor uniform in [max(0, 1 − v), 1 + v]"),
        ArgSpec("hue", .number, range: .probability, default: .number(0), doc: "hue shift uniform in [−v, v] turns, v ≤ 0.5"),
        epochsArg,
    ], doc: "torchvision ColorJitter on RGB images [3, H, W] whose values x/scale lie in [0, 1]: the four adjustments in a random order"),
    AugmentKind(name: "mixup", primary: "alpha", args: [
        ArgSpec("alpha", .number, range: .positive, required: true, schedulable: true, doc: "λ ~ Beta(α, α); 0.2 (Keras), 1 for CIFAR in the paper"),
        ArgSpec("prob", .number, range: .probability, default: .number(1), doc: "probability that a batch is mixed"),
        epochsArg,
    ], doc: "mix each example and its target row with a partner's of the same batch: λx_i + (1 − λ)x_j, one λ per batch, partners by a random permutation (Zhang et al. 2018); the loss sees soft targets"),
    AugmentKind(name: "cutmix", primary: "alpha", args: [
        ArgSpec("alpha", .number, range: .positive, default: .number(1), schedulable: true, doc: "λ ~ Beta(α, α) sets the box area (α = 1: uniform)"),
        ArgSpec("prob", .number, range: .probability, default: .number(1), doc: "probability that a batch is mixed (the official CIFAR scripts use 0.5)"),
        epochsArg,
    ], doc: "paste a box of a partner's pixels (side √(1 − λ) of each, centred uniformly, clipped) and mix the target rows by the pasted area (Yun et al. 2019); the loss sees soft targets"),
]

/// The `data.augment` list; diagnostics at the item or argument at fault.
func resolveAugment(_ v: Value, _ d: inout [Diagnostic]) -> [AugmentConfig] {
    guard case .list(let items) = v.kind else {
        d.append(Msg.augmentNotAList.error(v.range))
        return []
    }
    if items.count > 16 { d.append(Msg.tooManyAugmentations(16).error(v.range)) }
    var out: [AugmentConfig] = []
    for item in items {
        let name: Located<String>, args: Value?
        switch item.kind {
        case .string(let s): (name, args) = (Located(s, item.range), nil)
        case .map(let es) where es.count == 1: (name, args) = (es[0].key, es[0].value)
        default:
            d.append(Msg.augmentItem.error(item.range))
            continue
        }
        guard let kind = augmentKinds.first(where: { $0.name == name.value }) else {
            d.append(Msg.unknownAugmentation(name.value, closest(to: name.value, in: augmentKinds.map(\.name))).error(name.range))
            continue
        }
        var values: [String: ArgValue] = [:]
        var schedules: [String: ScalarSchedule] = [:]
        var ok = true
        func set(_ spec: ArgSpec, _ v: Value) {
            switch convert(v, spec, kind: kind.name) {
            case .ok(let x) where kind.name == "color_jitter" && spec.name == "hue" && (x.numberValue ?? 0) > 0.5:
                d.append(Msg.hueRange(x.numberValue ?? 0).error(v.range)); ok = false
            case .ok(let x): values[spec.name] = x
            case .scheduled(let x, let schedule): values[spec.name] = x; schedules[spec.name] = schedule
            case .failed(let diag): d.append(diag); ok = false
            }
        }
        switch args?.kind {
        case nil, .null?: break
        case .map(let es)?:
            for e in es {
                guard let spec = kind.args.first(where: { $0.name == e.key.value }) else {
                    d.append(Msg.unknownArgument(e.key.value, kind.name, closest(to: e.key.value, in: kind.args.map(\.name))).error(e.key.range))
                    ok = false
                    continue
                }
                set(spec, e.value)
            }
        case _?:
            guard let p = kind.primary, let spec = kind.args.first(where: { $0.name == p }), let args else { continue }
            set(spec, args)
        }
        for spec in kind.args where spec.required && values[spec.name] == nil && ok {
            d.append(Msg.missingArgument(spec.name, kind.name).error(item.range))
            ok = false
        }
        guard ok else { continue }
        let config: AugmentConfig.Kind
        switch kind.name {
        case "random_crop": config = .randomCrop(padding: values["padding"]?.intValue ?? 1)
        case "flip":
            let mode = values["mode"]?.stringValue ?? "horizontal"
            config = .flip(horizontal: mode != "vertical", vertical: mode != "horizontal", p: values["p"]?.numberValue ?? 0.5)
        case "rotate": config = .rotate(degrees: values["degrees"]?.numberValue ?? 0)
        case "translate": config = .translate(fraction: values["fraction"]?.numberValue ?? 0)
        case "zoom": config = .zoom(fraction: values["fraction"]?.numberValue ?? 0)
        case "color_jitter":
            config = .colorJitter(brightness: values["brightness"]?.numberValue ?? 0, contrast: values["contrast"]?.numberValue ?? 0,
                                  saturation: values["saturation"]?.numberValue ?? 0, hue: values["hue"]?.numberValue ?? 0)
        case "mixup": config = .mixup(alpha: values["alpha"]?.numberValue ?? 1, prob: values["prob"]?.numberValue ?? 1)
        case "cutmix": config = .cutmix(alpha: values["alpha"]?.numberValue ?? 1, prob: values["prob"]?.numberValue ?? 1)
        default: config = .cutout(size: values["size"]?.intValue ?? 1)
        }
        out.append(AugmentConfig(kind: config, epochs: values["epochs"]?.intValue, alphaSchedule: schedules["alpha"]))
    }
    return out
}
