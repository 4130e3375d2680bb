import Diagnostics
import Yams

/// A YAML node with a full source range, built from Yams' node tree (which only records where a
/// node starts). Aliases are expanded here, under a cap that stops billion-laughs files.
indirect enum YNode {
    case scalar(YScalar)
    case sequence([YNode], SourceRange)
    case mapping([(key: YNode, value: YNode)], SourceRange)

    var range: SourceRange {
        switch self {
        case .scalar(let s): return s.range
        case .sequence(_, let r), .mapping(_, let r): return r
        }
    }

    /// How a message names the node's type: "a list", "a map", "a string".
    var typeName: String {
        switch self {
        case .sequence: return "a list"
        case .mapping: return "a map"
        case .scalar(let s): return s.isQuoted ? "a string" : scalarTypeName(s)
        }
    }

    var scalar: YScalar? {
        if case .scalar(let s) = self { return s }
        return nil
    }
}

struct YScalar {
    var text: String
    /// Quoted scalars are always strings; plain ones may be numbers, booleans or null.
    var isQuoted: Bool
    var range: SourceRange
}

/// Why a document could not be turned into `YNode`s.
enum YNodeLimit: Error {
    case tooManyNodes(SourceRange)
    case tooDeep(SourceRange)
}

/// Converts Yams nodes to `YNode`s, counting every node produced (aliases included) and the depth.
struct YNodeBuilder {
    let text: SourceText
    let maxNodes: Int
    let maxDepth: Int
    /// Keys renamed to recover from a duplicate; their entries are dropped.
    let droppedKeys: Set<SourceLocation>
    private(set) var count = 0

    init(text: SourceText, maxNodes: Int, maxDepth: Int, droppedKeys: Set<SourceLocation>) {
        self.text = text
        self.maxNodes = maxNodes
        self.maxDepth = maxDepth
        self.droppedKeys = droppedKeys
    }

    mutating func build(_ node: Node, depth: Int = 0) throws -> YNode {
        let start = node.mark.map { text.location($0.line, $0.column) } ?? text.location(1, 1)
        let here = text.range(start, start)
        count += 1
        if count > maxNodes { throw YNodeLimit.tooManyNodes(here) }
        if depth > maxDepth { throw YNodeLimit.tooDeep(here) }
        switch node {
        case .scalar(let s):
            return .scalar(scalar(s, start))
        case .alias:
            // `compose` resolves aliases to their anchored nodes; an unresolved one reads as null.
            return .scalar(YScalar(text: "", isQuoted: false, range: here))
        case .sequence(let seq):
            var items: [YNode] = []
            items.reserveCapacity(seq.count)
            for n in seq { items.append(try build(n, depth: depth + 1)) }
            var end = items.last?.range.end ?? start
            // Yams takes the style from the end event, where libyaml leaves it unset, so the
            // source text decides: a flow collection starts with its bracket.
            if text.scalar(start.line, start.column) == "[" {
                end = text.flowEnd(after: items.last?.range.end ?? text.location(start.line, start.column + 1), close: "]")
            }
            return .sequence(items, text.range(start, max(end, start)))
        case .mapping(let map):
            var pairs: [(key: YNode, value: YNode)] = []
            pairs.reserveCapacity(map.count)
            for (k, v) in map {
                let key = try build(k, depth: depth + 1)
                let value = try build(v, depth: depth + 1)
                if droppedKeys.contains(key.range.start) { continue }
                pairs.append((key, value))
            }
            var end = pairs.last?.value.range.end ?? start
            if text.scalar(start.line, start.column) == "{" {
                end = text.flowEnd(after: pairs.last?.value.range.end ?? text.location(start.line, start.column + 1), close: "}")
            }
            return .mapping(pairs, text.range(start, max(end, start)))
        }
    }

    private func scalar(_ s: Node.Scalar, _ start: SourceLocation) -> YScalar {
        let end: SourceLocation
        switch s.style {
        case .singleQuoted, .doubleQuoted:
            end = text.quotedEnd(start)
        case .literal, .folded:
            end = text.location(start.line, text.lineLength(start.line) + 1)
        default:
            // An empty plain scalar (`key:` with no value) is a point.
            end = text.plainEnd(start, length: s.string.contains("\n") ? Int.max / 2 : s.string.unicodeScalars.count)
        }
        let quoted = s.style == .singleQuoted || s.style == .doubleQuoted || s.style == .literal || s.style == .folded
        return YScalar(text: s.string, isQuoted: quoted, range: text.range(start, end))
    }
}
