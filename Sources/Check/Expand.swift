import Syntax
import Diagnostics

// Expansion: resolves every layer's kind and arguments, instantiates blocks and repeats (with
// expressions evaluated against block parameters and repeat indices), and returns a tree of
// checked layers. A layer that cannot be resolved becomes `.invalid`, which poisons its output
// so later layers are not reported again.

/// A layer whose kind and arguments are resolved.
struct ELayer {
    var spec: KindSpec
    /// The kind as written (`linear`), for messages.
    var written: String
    /// `conv2d`, or `resblock/conv2d` inside a block.
    var display: String
    /// Canonical argument name → value (absent = default).
    var args: [String: ArgValue]
    /// Canonical argument name → range of its value (for fix-its and diagnostics).
    var argRanges: [String: SourceRange]
    var name: Located<String>?
    var from: [Located<String>]?
    var expect: Located<[Value]>?
    var range: SourceRange
    /// Expanded layer lists: `body`, `shortcut` (one list each), `branches` (several).
    var lists: [String: [[EItem]]]
    /// The block uses and repeat iterations this copy comes from, innermost first.
    var context: [Note] = []
    /// Canonical argument name → its schedule, for arguments given one (`args` holds the value
    /// the schedule ends at).
    var schedules: [String: ScalarSchedule] = [:]

    func int(_ a: String) -> Int? { args[a]?.intValue }
    func number(_ a: String) -> Double? { args[a]?.numberValue }
    func bool(_ a: String) -> Bool? { args[a]?.boolValue }
    func string(_ a: String) -> String? { args[a]?.stringValue }
    func ints(_ a: String) -> [Int]? { if case .ints(let i)? = args[a] { return i }; return nil }
}

/// A use of a user-defined block: an `nn.Sequential` of its layers.
struct EBlock {
    var block: String
    var items: [EItem]
    var name: Located<String>?
    var from: [Located<String>]?
    var expect: Located<[Value]>?
    var range: SourceRange
    /// The block's definition (its name under `blocks:`).
    var definition: SourceRange
    /// The block uses and repeat iterations around this use, innermost first.
    var context: [Note] = []
}

indirect enum EItem {
    case layer(ELayer)
    case block(EBlock)
    /// A layer that failed to resolve (already diagnosed); its output is unknown.
    case invalid(name: Located<String>?, from: [Located<String>]?, range: SourceRange)

    var name: Located<String>? {
        switch self {
        case .layer(let l): return l.name
        case .block(let b): return b.name
        case .invalid(let n, _, _): return n
        }
    }
    var from: [Located<String>]? {
        switch self {
        case .layer(let l): return l.from
        case .block(let b): return b.from
        case .invalid(_, let f, _): return f
        }
    }
    var range: SourceRange {
        switch self {
        case .layer(let l): return l.range
        case .block(let b): return b.range
        case .invalid(_, _, let r): return r
        }
    }
    var context: [Note] {
        switch self {
        case .layer(let l): return l.context
        case .block(let b): return b.context
        case .invalid: return []
        }
    }
}

/// Instantiation context on diagnostics, as C++ and Swift compilers give for templates and
/// generics: a mistake inside a block or a repeat names the chain of uses that reached it
/// (`note: in block 'wrn_block' used here with filters: 64`), innermost first, each note placed
/// at the use. Stages mark where their diagnostics for an item start and call `attach` after
/// it; diagnostics that already carry a (longer, inner) chain keep theirs.
struct UseContext {
    /// Innermost last.
    private(set) var frames: [Note] = []
    /// Indices of diagnostics that have their chain.
    private var chained: Set<Int> = []

    mutating func push(_ n: Note) { frames.append(n) }
    mutating func pop() { frames.removeLast() }
    var chain: [Note] { frames.reversed() }

    mutating func attach(_ chain: [Note], to diagnostics: inout [Diagnostic], from mark: Int) {
        for k in mark..<diagnostics.count where !chained.contains(k) {
            chained.insert(k)
            diagnostics[k].notes += chain
        }
    }

    static func blockUse(_ block: String, _ bound: [(String, Scalar)], at range: SourceRange) -> Note {
        let args = bound.map { "\($0.0): \(describe($0.1))" }.joined(separator: ", ")
        return Note("in block '\(block)' used here" + (args.isEmpty ? "" : " with " + args), at: range)
    }

    /// True for the notes `blockUse` and `repeatIteration` make.
    static func isChainNote(_ n: Note) -> Bool {
        n.message.hasPrefix("in block '") || n.message.hasPrefix("in repeat iteration ")
    }

    static func repeatIteration(_ index: String?, _ i: Int, of n: Int, at range: SourceRange) -> Note {
        Note("in repeat iteration \(index.map { "\($0) = " } ?? "")\(i) of 0..<\(n)", at: range)
    }

    static func describe(_ s: Scalar) -> String {
        switch s {
        case .int(let i): return String(i)
        case .float(let d): return formatNumber(d)
        case .string(let t): return t
        case .bool(let b): return String(b)
        }
    }
}

struct Expander {
    static let maxLayers = 200_000
    static let maxDepth = 100
    static let maxRepeat = 100_000

    var diagnostics: [Diagnostic] = []
    var blocks: [String: BlockDef] = [:]
    private var stack: [String] = []
    private var uses = UseContext()
    private var count = 0
    private var depth = 0
    private var tooLargeReported = false
    /// Residual blocks (`residual`, `shake_shake`, `shakedrop` layers) whose expansion has begun,
    /// and the one being expanded: `${depth}` (see `depthNames`).
    private(set) var residualBlocks = 0
    private var currentResidual: Int?
    /// `${blocks}`: the number of residual blocks, known after a first expansion.
    private let totalResidualBlocks: Int?
    /// Whether an expression used `${blocks}` (then the spec is expanded again with its value).
    private(set) var usedBlockCount = false
    /// Every block instance made so far, with its parameters' values (see `blockInstances`).
    private(set) var instances: [BlockInstance] = []

    /// `totalResidualBlocks` is `${blocks}` when known (a second expansion), else 1.
    init(blocks defs: [BlockDef], totalResidualBlocks: Int? = nil) {
        self.totalResidualBlocks = totalResidualBlocks
        for b in defs {
            if kindsByName[b.name.value] != nil {
                diagnostics.append(Msg.blockShadowsKind(b.name.value).error(b.name.range))
            } else if blocks[b.name.value] != nil {
                diagnostics.append(Msg.duplicateBlock(b.name.value).error(b.name.range))
            } else {
                blocks[b.name.value] = b
            }
        }
    }

    mutating func expand(_ items: [LayerItem], env: [String: Scalar], prefix: String) -> [EItem] {
        depth += 1
        defer { depth -= 1 }
        if depth > Expander.maxDepth {
            if let first = items.first { diagnostics.append(Msg.tooDeep(Expander.maxDepth).error(first.range)) }
            return items.first.map { [.invalid(name: nil, from: nil, range: $0.range)] } ?? []
        }
        var out: [EItem] = []
        for item in items {
            switch item {
            case .layer(let l):
                count += 1
                if count > Expander.maxLayers {
                    if !tooLargeReported { diagnostics.append(Msg.tooLarge(Expander.maxLayers).error(l.range)); tooLargeReported = true }
                    return out
                }
                let mark = diagnostics.count
                out.append(expandLayer(l, env: env, prefix: prefix))
                uses.attach(uses.chain, to: &diagnostics, from: mark)
            case .repeat(let r):
                guard let c = substitute(r.count, env), let n = c.intValue, n >= 0 else {
                    if !diagnostics.contains(where: { $0.range == r.count.range }) { diagnostics.append(Msg.badRepeatCount.error(r.count.range)) }
                    continue
                }
                if n > Expander.maxRepeat {
                    if !tooLargeReported { diagnostics.append(Msg.tooLarge(Expander.maxLayers).error(r.count.range)); tooLargeReported = true }
                    continue
                }
                for i in 0..<n {
                    var inner = env
                    if let idx = r.index { inner[idx.value] = .int(i) }
                    let before = count
                    uses.push(UseContext.repeatIteration(r.index?.value, i, of: n, at: r.count.range))
                    out += expand(r.body, env: inner, prefix: prefix)
                    uses.pop()
                    if count > Expander.maxLayers { return out }
                    // Refuse early when the remaining copies cannot fit, rather than expanding them.
                    if i == 0, (count - before).multipliedReportingOverflow(by: n - 1).partialValue + count > Expander.maxLayers
                        || (count - before).multipliedReportingOverflow(by: n - 1).overflow {
                        if !tooLargeReported { diagnostics.append(Msg.tooLarge(Expander.maxLayers).error(r.count.range)); tooLargeReported = true }
                        count = Expander.maxLayers + 1
                        return out
                    }
                }
            }
        }
        return out
    }

    /// Replaces every expression inside `v` by its value; nil (with a diagnostic) when one fails.
    mutating func substitute(_ v: Value, _ env: [String: Scalar]) -> Value? {
        switch v.kind {
        case .expr(let e):
            do {
                var env = env
                if env["depth"] == nil { env["depth"] = .int(currentResidual ?? residualBlocks + 1) }
                if env["blocks"] == nil {
                    env["blocks"] = .int(totalResidualBlocks ?? 1)
                    if e.mentions("blocks") { usedBlockCount = true }
                }
                return try evaluate(e, env).value(v.range)
            } catch let err as EvalError {
                let m: Message
                switch err {
                case .unknownName(let n, let s): m = Msg.unknownName(n, s)
                case .notANumber(let s): m = Msg.notANumber(s)
                case .divisionByZero: m = Msg.divisionByZero
                case .unknownFunction(let f): m = Msg.unknownFunction(f)
                case .badArity(let f): m = Msg.badArity(f)
                case .overflow: m = Msg.overflow
                }
                diagnostics.append(m.error(v.range))
                return nil
            } catch {
                preconditionFailure("evaluate throws only EvalError")
            }
        case .string(let s) where s.hasPrefix("${") && s.hasSuffix("}"):
            // An expression the reader could not parse; it has reported it already.
            return nil
        case .list(let items):
            var out: [Value] = []
            for x in items { guard let y = substitute(x, env) else { return nil }; out.append(y) }
            return Value(.list(out), v.range)
        case .map(let entries):
            var out: [Entry] = []
            for e in entries { guard let y = substitute(e.value, env) else { return nil }; out.append(Entry(key: e.key, value: y)) }
            return Value(.map(out), v.range)
        default:
            return v
        }
    }

    private mutating func expandLayer(_ l: Layer, env: [String: Scalar], prefix: String) -> EItem {
        let invalid = EItem.invalid(name: l.name, from: l.from, range: l.range)
        var expect: Located<[Value]>?
        if let e = l.expect {
            var vals: [Value] = []
            for v in e.value { guard let s = substitute(v, env) else { return invalid }; vals.append(s) }
            expect = Located(vals, e.range)
        }
        if let spec = kindsByName[l.kind.value] {
            return expandKind(spec, l, env: env, prefix: prefix, expect: expect) ?? invalid
        }
        if let def = blocks[l.kind.value] {
            return expandBlock(def, l, env: env, prefix: prefix, expect: expect) ?? invalid
        }
        let s = closest(to: l.kind.value, in: allKindNames + blocks.keys.sorted())
        diagnostics.append(Msg.unknownKind(l.kind.value, s).error(l.kind.range,
            fixIts: s.map { [FixIt("replace with '\($0)'", range: l.kind.range, replacement: $0)] } ?? []))
        return invalid
    }

    private mutating func expandKind(_ spec: KindSpec, _ l: Layer, env: [String: Scalar], prefix: String,
                                     expect: Located<[Value]>?) -> EItem? {
        var given: [(key: Located<String>, value: Value)] = []
        if let p = l.primary {
            guard let primary = spec.primary else {
                diagnostics.append(Msg.noPrimary(l.kind.value).error(p.range))
                return nil
            }
            given.append((Located(primary, p.range), p))
        }
        given += l.arguments.map { ($0.key, $0.value) }
        var args: [String: ArgValue] = [:]
        var ranges: [String: SourceRange] = [:]
        var schedules: [String: ScalarSchedule] = [:]
        var lists: [String: [[EItem]]] = [:]
        var ok = true
        var suggested: Set<String> = []
        let display = prefix.isEmpty ? spec.name : prefix + "/" + spec.name
        let outerResidual = currentResidual
        defer { currentResidual = outerResidual }
        if [.residual, .shakeShake, .shakeDrop].contains(spec.id) {
            residualBlocks += 1
            currentResidual = residualBlocks
        }
        for (key, raw) in given {
            guard let a = spec.arg(key.value) else {
                if let why = regularizationNotApplicable(key.value, spec) {
                    diagnostics.append(Msg.regularizationNotApplicable(key.value, l.kind.value, why).error(key.range))
                    ok = false
                    continue
                }
                let s = closest(to: key.value, in: spec.args.flatMap { [$0.name] + $0.aliases })
                if let s = s, let a = spec.arg(s) { suggested.insert(a.name) }
                diagnostics.append(Msg.unknownArgument(key.value, l.kind.value, s).error(key.range,
                    fixIts: s.map { [FixIt("replace with '\($0)'", range: key.range, replacement: $0)] } ?? []))
                ok = false
                continue
            }
            // `key: null` (or `~`) means the default, as if the key were absent.
            if raw.kind == .null { continue }
            if args[a.name] != nil || ranges[a.name] != nil {
                diagnostics.append(Msg.duplicateArgument(a.name, l.kind.value).error(key.range))
                ok = false
                continue
            }
            ranges[a.name] = raw.range
            guard let v = substitute(raw, env) else { ok = false; continue }
            switch convert(v, a, kind: l.kind.value) {
            case .failed(let d): diagnostics.append(d); ok = false
            case .scheduled(let value, let schedule):
                args[a.name] = value
                schedules[a.name] = schedule
            case .ok(let value):
                args[a.name] = value
                switch value {
                case .layers(let items): lists[a.name] = [expand(items, env: env, prefix: prefix)]
                case .branches(let bs): lists[a.name] = bs.map { expand($0, env: env, prefix: prefix) }
                default: break
                }
            }
        }
        // A misspelt required argument is reported once, as the misspelling.
        for a in spec.args where a.required && ranges[a.name] == nil && !suggested.contains(a.name) {
            diagnostics.append(Msg.missingArgument(a.name, l.kind.value).error(l.kind.range))
            ok = false
        }
        for a in spec.args where args[a.name] == nil {
            if let v = a.defaultValue { args[a.name] = v.value }
        }
        if args["decay_bias"] == .bool(true), args["bias"] == .bool(false), let at = ranges["decay_bias"] {
            diagnostics.append(Msg.regularizationNotApplicable("decay_bias", l.kind.value, "the layer has no bias (bias: false)").error(at))
            ok = false
        }
        if schedules["p"] != nil, spec.id == .dropBlock, let at = ranges["schedule_steps"] {
            diagnostics.append(Msg.scheduleWithScheduleSteps.error(at))
            ok = false
        }
        if spec.id == .shakeShake, let bs = lists["branches"], bs.count < 2 {
            diagnostics.append(Msg.tooFewBranches(bs.count).error(ranges["branches"] ?? l.kind.range))
            ok = false
        }
        guard ok else { return nil }
        return .layer(ELayer(spec: spec, written: l.kind.value, display: display, args: args, argRanges: ranges,
                             name: l.name, from: l.from, expect: expect, range: l.range, lists: lists, context: uses.chain,
                             schedules: schedules))
    }

    private mutating func expandBlock(_ def: BlockDef, _ l: Layer, env: [String: Scalar], prefix: String,
                                      expect: Located<[Value]>?) -> EItem? {
        let name = def.name.value
        if stack.contains(name) {
            diagnostics.append(Msg.recursiveBlock(name).error(l.kind.range, notes: [Note("block '\(name)' is defined here", at: def.name.range)]))
            return nil
        }
        var given: [(Located<String>, Value)] = []
        if let p = l.primary {
            guard let first = def.parameters.first else {
                diagnostics.append(Msg.blockTakesNoArguments(name).error(p.range))
                return nil
            }
            given.append((Located(first.name.value, p.range), p))
        }
        given += l.arguments.map { ($0.key, $0.value) }
        let names = def.parameters.map(\.name.value)
        var bound: [String: Scalar] = [:]
        var ok = true
        var suggested: Set<String> = []
        for (key, raw) in given {
            guard names.contains(key.value) else {
                let s = closest(to: key.value, in: names)
                if let s = s { suggested.insert(s) }
                diagnostics.append(Msg.unknownBlockParameter(key.value, name, s).error(key.range))
                ok = false
                continue
            }
            guard bound[key.value] == nil else {
                diagnostics.append(Msg.duplicateArgument(key.value, name).error(key.range))
                ok = false
                continue
            }
            guard let v = substitute(raw, env) else { ok = false; continue }
            guard let s = scalar(v) else {
                diagnostics.append(Msg.blockParameterType(key.value, name).error(v.range))
                ok = false
                continue
            }
            bound[key.value] = s
        }
        for p in def.parameters where bound[p.name.value] == nil {
            // Defaults may refer to earlier parameters (`out: ${filters * 2}`).
            guard let d = p.defaultValue else {
                if suggested.contains(p.name.value) { ok = false; continue }
                diagnostics.append(Msg.missingBlockParameter(p.name.value, name).error(l.kind.range))
                ok = false
                continue
            }
            guard let v = substitute(d, bound), let s = scalar(v) else { ok = false; continue }
            bound[p.name.value] = s
        }
        guard ok else { return nil }
        instances.append(BlockInstance(block: name, use: l.kind.range, values: bound.mapValues(UseContext.describe)))
        let context = uses.chain
        stack.append(name)
        uses.push(UseContext.blockUse(name, def.parameters.compactMap { p in bound[p.name.value].map { (p.name.value, $0) } }, at: l.kind.range))
        let items = expand(def.body, env: bound, prefix: prefix.isEmpty ? name : prefix + "/" + name)
        uses.pop()
        stack.removeLast()
        return .block(EBlock(block: name, items: items, name: l.name, from: l.from, expect: expect, range: l.range,
                            definition: def.name.range, context: context))
    }

    private func scalar(_ v: Value) -> Scalar? {
        switch v.kind {
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        default: return nil
        }
    }
}
