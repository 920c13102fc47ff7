internal import CYaml
internal import OrbrecCore

/// Checks a file's YAML event stream before Yams builds a node tree from it.
///
/// Yams resolves an alias to the anchored node itself, so a few hundred bytes of nested
/// aliases (`&a [x, x]`, `&b [*a, *a]`, …) make a tree whose expansion has billions of nodes:
/// every walk of it (decoding to PolicyValue, and Yams' own hashing of complex mapping keys
/// while it composes) then runs for minutes and exhausts memory. The events are linear in the
/// file, so counting here what each alias stands for bounds every later walk, and the error
/// points at the alias that crossed the budget.
///
/// The same pass rejects NUL in any scalar (a C string would end there: arguments are cut,
/// keys collide) and control characters in mapping keys, at the scalar that holds them, and
/// reports every key written twice in one mapping at the repeated key, as yamllint and
/// kubectl do (Yams stops at the first mapping with duplicates and points at the first one).
enum YAMLPrescan {
    /// Nodes one document may expand to, aliases counted at their full size. A hand-written
    /// configuration document has hundreds; a large generated one tens of thousands.
    static let maxExpandedNodes = 1_000_000
    /// Nesting depth of one document, aliases included. The decoders and Yams recurse once
    /// per level; configurations nest fewer than twenty.
    static let maxDepth = 200

    /// Problems of `text`, located in `context`'s file; empty when the file may be composed.
    /// A syntax error ends the check; with no other problem it is left to Yams, and after
    /// duplicate keys it is reported here too, so that the file shows every problem found.
    /// `isJSON` names the language in a syntax error.
    static func check(_ text: String, isJSON: Bool = false, context: DecodeContext) -> [Diagnostic] {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return [] }
        return bytes.withUnsafeMutableBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return [] }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var walk = Walk(context: context)
            while walk.problems.isEmpty {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    if !walk.duplicates.isEmpty { walk.duplicates += syntaxError(parser, isJSON: isJSON, context: context) }
                    break
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                walk.take(event)
            }
            return walk.problems.isEmpty ? walk.duplicates : walk.problems
        }
    }

    /// The parser's error as `SyntaxHint` words it.
    private static func syntaxError(_ parser: yaml_parser_t, isJSON: Bool, context: DecodeContext) -> [Diagnostic] {
        let scratch = DecodeContext(file: context.file, text: context.text)
        let at = { (mark: yaml_mark_t) in SourceLocation(file: context.file, line: Int(mark.line) + 1, column: Int(mark.column) + 1) }
        let detail = parser.context.map { SyntaxHint.Detail(text: String(cString: $0), location: at(parser.context_mark)) }
        SyntaxHint.report(problem: parser.problem.map { String(cString: $0) } ?? "unknown error", at: at(parser.problem_mark),
                          detail: detail, language: isJSON ? "JSON" : "YAML", context: scratch)
        return scratch.diagnostics
    }

    /// The state of one pass over the events.
    private struct Walk {
        struct Open {
            var startCount: Int
            var anchor: String?
            var isMapping: Bool
            var expectsKey = true
            /// Levels below this collection, aliases included.
            var depthBelow = 0
            /// Where each plain or quoted key of this mapping was first written.
            var keys: [String: SourceLocation] = [:]
        }

        let context: DecodeContext
        var problems: [Diagnostic] = []
        /// Keys written twice; the walk goes on past them, to report them all.
        var duplicates: [Diagnostic] = []
        /// Expanded nodes of the current document so far.
        var count = 0
        var open: [Open] = []
        /// What each anchor of the current document stands for: its nodes and its depth.
        var anchors: [String: (nodes: Int, depth: Int)] = [:]

        init(context: DecodeContext) { self.context = context }

        mutating func take(_ event: yaml_event_t) {
            let location = SourceLocation(file: context.file, line: Int(event.start_mark.line) + 1,
                                          column: Int(event.start_mark.column) + 1)
            switch event.type {
            case YAML_DOCUMENT_START_EVENT:
                count = 0
                open = []
                anchors = [:]
            case YAML_SCALAR_EVENT:
                let isKey = open.last.map { $0.isMapping && $0.expectsKey } ?? false
                check(scalar: event.data.scalar.value, length: event.data.scalar.length, isKey: isKey, at: location)
                if isKey, let value = event.data.scalar.value { checkDuplicate(String(decoding: UnsafeBufferPointer(start: value, count: event.data.scalar.length), as: UTF8.self), at: location) }
                if let anchor = Self.string(event.data.scalar.anchor) { anchors[anchor] = (1, 0) }
                add(nodes: 1, depth: 0, at: location, alias: nil)
            case YAML_ALIAS_EVENT:
                let name = Self.string(event.data.alias.anchor) ?? ""
                // An undefined alias is left to Yams, which reports it.
                let target = anchors[name] ?? (1, 0)
                add(nodes: target.nodes, depth: target.depth, at: location, alias: name)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let anchor = Self.string(isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
                count += 1
                if count > maxExpandedNodes {
                    overBudget(at: location, alias: nil)
                    return
                }
                if open.count + 1 > maxDepth {
                    problems.append(.error("too-deep", "the document nests more than \(maxDepth) levels deep; orbrec reads at most \(maxDepth)",
                                           at: location))
                    return
                }
                open.append(Open(startCount: count, anchor: anchor, isMapping: isMapping))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let closed = open.popLast() else { return }
                let nodes = count - closed.startCount + 1
                if let anchor = closed.anchor { anchors[anchor] = (nodes, closed.depthBelow + 1) }
                completed(depth: closed.depthBelow + 1)
            default:
                break
            }
        }

        /// A scalar or an alias: `nodes` more nodes, reaching `depth` levels below here.
        mutating func add(nodes: Int, depth: Int, at location: SourceLocation, alias: String?) {
            count += nodes
            if count > maxExpandedNodes {
                overBudget(at: location, alias: alias)
                return
            }
            if open.count + depth > maxDepth {
                problems.append(.error("too-deep", "alias '*\(alias ?? "")' nests the document more than \(maxDepth) levels deep; orbrec reads at most \(maxDepth)",
                                       at: location))
                return
            }
            completed(depth: depth)
        }

        /// A node of the innermost open collection is complete.
        mutating func completed(depth: Int) {
            guard !open.isEmpty else { return }
            open[open.count - 1].depthBelow = max(open[open.count - 1].depthBelow, depth)
            if open[open.count - 1].isMapping { open[open.count - 1].expectsKey.toggle() }
        }

        /// Keys compare as the decoders look them up: by their text, quoted or not.
        mutating func checkDuplicate(_ key: String, at location: SourceLocation) {
            guard !open.isEmpty else { return }
            if let first = open[open.count - 1].keys[key] {
                duplicates.append(Diagnostic(.error, code: "duplicate-key",
                                             message: "duplicate key '\(key)' in a mapping; first written at line \(first.line), column \(first.column)",
                                             at: location, excerpt: context.excerpt(at: location)))
            } else {
                open[open.count - 1].keys[key] = location
            }
        }

        mutating func overBudget(at location: SourceLocation, alias: String?) {
            let what = alias.map { "alias '*\($0)' expands the document to" } ?? "the document has"
            problems.append(.error("too-many-nodes", "\(what) more than \(maxExpandedNodes) nodes; orbrec reads at most \(maxExpandedNodes) per document",
                                   at: location))
        }

        mutating func check(scalar value: UnsafeMutablePointer<yaml_char_t>?, length: Int, isKey: Bool, at location: SourceLocation) {
            guard let value, length > 0 else { return }
            let bytes = UnsafeBufferPointer(start: value, count: length)
            if let nul = bytes.firstIndex(of: 0) {
                let character = String(decoding: bytes[..<nul], as: UTF8.self).count + 1
                problems.append(.error("nul-character", "the string holds a NUL character (U+0000) at character \(character); orbrec rejects NUL in every value",
                                       at: location))
            } else if isKey, let control = bytes.firstIndex(where: { $0 < 0x20 || $0 == 0x7F }) {
                let character = String(decoding: bytes[..<control], as: UTF8.self).count + 1
                let code = String(bytes[control], radix: 16, uppercase: true)
                problems.append(.error("control-character",
                                       "the key holds the control character U+\(String(repeating: "0", count: 4 - code.count))\(code) at character \(character); keys may not hold control characters",
                                       at: location))
            }
        }

        static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: $0) }
        }
    }
}
