// `regula schema`: a JSON Schema (draft-07, the draft yaml-language-server supports best) of the
// YAML format, generated from the kinds table so editors complete and validate every kind and
// argument the checker knows.

import Diagnostics

private func ref(_ name: String) -> JSON { .object([("$ref", .string("#/definitions/\(name)"))]) }
private func type(_ t: String) -> JSON { .object([("type", .string(t))]) }
private func anyOf(_ xs: [JSON]) -> JSON { .object([("anyOf", .array(xs))]) }
private func enumOf(_ xs: [String]) -> JSON { .object([("type", .string("string")), ("enum", .array(xs.map(JSON.string)))]) }
private func described(_ j: JSON, _ doc: String) -> JSON {
    guard case .object(var o) = j, !doc.isEmpty else { return j }
    o.append(("description", .string(doc)))
    return .object(o)
}
private func withDefault(_ j: JSON, _ d: ArgDefault?) -> JSON {
    guard case .object(var o) = j, let d = d else { return j }
    let value: JSON
    switch d {
    case .int(let i): value = .number(Double(i))
    case .number(let x): value = .number(x)
    case .bool(let b): value = .bool(b)
    case .string(let s): value = .string(s)
    case .pair(let i): value = .number(Double(i))
    case .range(let lo, let hi): value = .array([.number(lo), .number(hi)])
    }
    o.append(("default", value))
    return .object(o)
}

private func object(_ props: [(String, JSON)], required: [String] = [], closed: Bool = true) -> JSON {
    var o: [(String, JSON)] = [("type", .string("object")), ("properties", .object(props))]
    if !required.isEmpty { o.append(("required", .array(required.map(JSON.string)))) }
    if closed { o.append(("additionalProperties", .bool(false))) }
    return .object(o)
}

/// Any value may also be an expression `${ ... }` inside a block or repeat.
private func orExpr(_ j: JSON) -> JSON { anyOf([j, ref("expr")]) }

private func schema(_ t: ArgType) -> JSON {
    switch t {
    case .int: return orExpr(type("integer"))
    case .number: return orExpr(type("number"))
    case .bool: return orExpr(type("boolean"))
    case .choice(let c): return orExpr(c.isEmpty ? type("string") : enumOf(c))
    case .intPair: return orExpr(anyOf([type("integer"), ref("intPair")]))
    case .padding: return orExpr(anyOf([type("integer"), ref("intPair"), enumOf(["same", "valid"])]))
    case .intList: return .object([("type", .string("array")), ("items", orExpr(type("integer")))])
    case .intOrList: return orExpr(anyOf([type("integer"), .object([("type", .string("array")), ("items", orExpr(type("integer")))])]))
    case .layers: return ref("layers")
    case .branches: return .object([("type", .string("array")), ("items", ref("layers")), ("minItems", .number(2))])
    case .survival: return orExpr(anyOf([type("number"), object([("survival", orExpr(anyOf([type("number"), ref("schedule")]))), ("mode", enumOf(["batch", "sample"]))], required: ["survival"])]))
    case .numberRange: return .object([("type", .string("array")), ("items", orExpr(type("number"))), ("minItems", .number(2)), ("maxItems", .number(2))])
    case .shortcut: return anyOf([ref("layers"), enumOf(["none"])])
    }
}

/// An argument's schema: its type's, or a schedule map when the argument takes one.
private func schema(_ a: ArgSpec) -> JSON { a.schedulable ? anyOf([schema(a.type), ref("schedule")]) : schema(a.type) }

/// `{schedule: linear, from: 0, to: 0.3, epochs: 5}` (ScalarSchedule.swift).
private let scheduleSchema: JSON = {
    let unit = anyOf([type("integer"), .object([("type", .string("array")), ("items", type("integer"))])])
    return described(object([
        ("schedule", enumOf(ScalarSchedule.formNames)), ("from", type("number")), ("to", type("number")), ("value", type("number")),
        ("values", .object([("type", .string("array")), ("items", type("number"))])), ("epochs", unit), ("steps", unit),
        ("start", type("integer")),
    ], required: ["schedule"]), "a value that changes over training: constant, linear or cosine from → to over epochs or steps (after start), or step values at epoch or step milestones")
}()

private func layerSchema(_ k: KindSpec, name: String) -> JSON {
    let args = object(k.args.map { a in (a.name, withDefault(described(schema(a), a.doc), a.defaultValue)) }
                      + k.args.flatMap { a in a.aliases.map { ($0, described(schema(a), "alias of \(a.name)")) } }
                      + layerFields)   // `name`, `from`, `expect` may also sit inside the argument map
    var forms: [JSON] = [args, type("null")]
    if let p = k.primary, let a = k.arg(p) { forms.insert(schema(a), at: 0) }
    return described(object([(name, anyOf(forms))] + layerFields, required: [name]), k.doc)
}

private let layerFields: [(String, JSON)] = [
    ("name", type("string")),
    ("from", anyOf([type("string"), .object([("type", .string("array")), ("items", type("string"))])])),
    ("expect", .object([("type", .string("array")), ("items", orExpr(anyOf([type("integer"), type("string")])))])),
]

/// The JSON Schema of the YAML spec format.
public func jsonSchema() -> String {
    var kindForms: [JSON] = []
    for k in kindTable {
        for n in [k.name] + k.aliases { kindForms.append(layerSchema(k, name: n)) }
    }
    let repeatForm = object([("repeat", object([("count", orExpr(type("integer"))), ("as", type("string")), ("layers", ref("layers"))],
                                               required: ["count", "layers"]))], required: ["repeat"])
    // A block use: `- resblock: {filters: 32}`; block names are the spec's own, so any other key.
    // Excludes built-in kind keys, so a misspelt argument of a built-in kind is not taken for a block use.
    let builtIn = JSON.object([("anyOf", .array((allKindNames + ["repeat"]).map { .object([("required", .array([.string($0)]))]) }))])
    let blockUse = described(.object([("type", .string("object")), ("minProperties", .number(1)), ("not", builtIn)]),
                             "a use of a block defined under 'blocks'")
    let layerItem = anyOf([enumOf(allKindNames), type("string")] + kindForms + [repeatForm, blockUse])
    let regularization = object(regularizationArgs.map { ($0.name, described(schema($0), $0.doc)) })
    func names(_ item: JSON) -> JSON { anyOf([item, .object([("type", .string("array")), ("items", item), ("minItems", .number(1))])]) }
    let match = object([("kind", names(enumOf(kindTable.filter(\.parametric).flatMap { [$0.name] + $0.aliases }))),
                        ("layer", names(described(type("string"), "a layer name or state_dict path; * and ? are wildcards"))),
                        ("role", names(enumOf(TensorRole.allCases.map(\.rawValue))))])
    let rule = object([("match", match)] + ruleAttributes.map { ($0.name, described(schema($0), $0.doc)) }, required: ["match"])
    let dims = JSON.object([("type", .string("array")), ("items", anyOf([.object([("type", .string("integer")), ("minimum", .number(1))]), type("string")]))])
    let input = anyOf([dims, object([("shape", dims), ("dtype", enumOf(["float32", "int32"])),
                                     ("data_format", enumOf(["channels_first", "channels_last"]))], required: ["shape"])])
    let block = object([("params", .object([("type", .string("object"))])), ("layers", ref("layers"))], required: ["layers"])
    let optimizer = anyOf([enumOf(["sgd", "adam", "adamw", "rmsprop", "lion"]), object([
        ("kind", enumOf(["sgd", "adam", "adamw", "rmsprop", "lion"])), ("lr", type("number")), ("momentum", type("number")),
        ("nesterov", type("boolean")), ("dampening", type("number")),
        ("betas", .object([("type", .string("array")), ("items", type("number")), ("minItems", .number(2)), ("maxItems", .number(2))])),
        ("eps", type("number")), ("weight_decay", anyOf([type("number"), ref("schedule")])), ("decay", enumOf(["coupled", "decoupled"])),
        ("alpha", type("number")), ("centered", type("boolean")), ("convention", enumOf(["pytorch", "keras"])),
    ], required: ["kind"])])
    let schedule = anyOf([enumOf(["constant", "cosine"]), object([
        ("kind", enumOf(["constant", "step", "multistep", "exponential", "cosine", "one_cycle", "plateau"])),
        ("step_size", type("integer")), ("gamma", type("number")),
        ("milestones", .object([("type", .string("array")), ("items", type("integer"))])),
        ("warmup_steps", type("integer")), ("warmup_start_factor", type("number")), ("min_lr", type("number")),
        ("max_lr", type("number")), ("pct_start", type("number")), ("div_factor", type("number")),
        ("final_div_factor", type("number")), ("cycle_momentum", type("boolean")), ("monitor", type("string")),
        ("factor", type("number")), ("patience", type("integer")), ("threshold", type("number")), ("cooldown", type("integer")),
    ], required: ["kind"])])
    let train = object([
        ("optimizer", optimizer), ("batch_size", type("integer")), ("epochs", type("integer")), ("seed", type("integer")),
        ("schedule", schedule), ("clip_grad_norm", type("number")),
        ("early_stopping", object([("monitor", enumOf(["val_loss", "val_accuracy", "loss", "accuracy"])), ("patience", type("integer")),
                                   ("min_delta", type("number")), ("restore_best", type("boolean")), ("mode", enumOf(["auto", "min", "max"]))])),
        ("ema", object([("decay", type("number"))])),
        ("gradient_noise", object([("eta", type("number")), ("gamma", type("number"))])),
        ("adversarial", object([("method", enumOf(["fgsm", "pgd"])), ("epsilon", type("number")), ("steps", type("integer")),
                                ("step_size", type("number")), ("mix", type("number")), ("random_start", type("boolean")),
                                ("clip", .object([("type", .string("array")), ("items", type("number")), ("minItems", .number(2)), ("maxItems", .number(2))]))],
                               required: ["method", "epsilon"])),
        ("consistency", object([("method", enumOf(["pi", "mean_teacher"])), ("weight", anyOf([type("number"), ref("schedule")])), ("ramp_up", type("integer")),
                                ("ema_decay", type("number"))], required: ["method", "weight"])),
    ])
    let files = object([("inputs", type("string")), ("labels", type("string"))], required: ["inputs"])
    let data = object([
        ("format", enumOf(dataFormats)), ("dir", type("string")), ("train", files), ("test", files),
        ("validation_split", type("number")), ("normalize", object([("scale", type("number")), ("mean", type("number")), ("std", type("number"))])),
        ("limit", type("integer")),
        ("augment", .object([("type", .string("array")), ("items", anyOf([enumOf(augmentKinds.map(\.name))] + augmentKinds.map { k in
            object([(k.name, anyOf([object(k.args.map { ($0.name, described(schema($0), $0.doc)) }), type("integer"), type("string"), type("null")]))])
        }))])),
    ])
    let loss = anyOf([enumOf(["cross_entropy", "mse", "binary_cross_entropy"]), object([
        ("kind", enumOf(["cross_entropy", "mse", "binary_cross_entropy"])), ("targets", enumOf(["class_ids", "one_hot"])),
        ("label_smoothing", type("number")),
        ("smoothing_variant", enumOf(["uniform", "off_target"])),
    ])])
    let root = JSON.object([
        ("$schema", .string("http://json-schema.org/draft-07/schema#")),
        ("$id", .string("https://regula.dev/schema/spec-v1.json")),
        ("title", .string("Regula model spec")),
        ("type", .string("object")),
        ("properties", .object([
            ("regula", .object([("const", .number(Double(formatVersion))), ("description", .string("format version"))])),
            ("model", type("string")),
            ("input", input),
            ("defaults", regularization),
            ("regularize", .object([("type", .string("array")), ("items", rule)])),
            ("blocks", .object([("type", .string("object")), ("additionalProperties", block)])),
            ("layers", ref("layers")),
            ("loss", loss),
            ("train", train),
            ("data", data),
        ])),
        ("required", .array([.string("input"), .string("layers")])),
        ("additionalProperties", .bool(false)),
        ("definitions", .object([
            ("expr", .object([("type", .string("string")), ("pattern", .string("^\\$\\{.*\\}$")), ("description", .string("an expression over block parameters and repeat indices"))])),
            ("intPair", .object([("type", .string("array")), ("items", orExpr(type("integer"))), ("minItems", .number(2)), ("maxItems", .number(2))])),
            ("layers", .object([("type", .string("array")), ("items", ref("layer"))])),
            ("layer", layerItem),
            ("schedule", scheduleSchema),
        ])),
    ])
    return root.rendered()
}
