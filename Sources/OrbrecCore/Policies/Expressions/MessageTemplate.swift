/// A policy message with `{{ expression }}` placeholders, e.g.
/// `"fleet {{ metadata.name }} asks for {{ spec.count }} machines"`. Every placeholder is parsed
/// and checked up front; error offsets count from the start of the whole template.
public struct MessageTemplate: Sendable {
    enum Piece: Sendable {
        case text(String)
        case placeholder(PolicyExpression)
    }

    public let source: String
    let pieces: [Piece]

    public init(parsing template: String, schema: ExpressionSchema = .open) throws(ExpressionError) {
        let characters = Array(template)
        var pieces: [Piece] = []
        var text = ""
        var index = 0
        while index < characters.count {
            guard characters[index] == "{", index + 1 < characters.count, characters[index + 1] == "{" else {
                text.append(characters[index])
                index += 1
                continue
            }
            guard let close = Self.closingBraces(in: characters, from: index + 2) else {
                throw .syntax("'{{' has no matching '}}'", at: index)
            }
            if !text.isEmpty { pieces.append(.text(text)) }
            text = ""
            let start = index + 2
            let body = String(characters[start..<close])
            guard body.contains(where: { !$0.isWhitespace }) else { throw .syntax("empty placeholder", at: index) }
            do {
                pieces.append(.placeholder(try PolicyExpression(parsing: body, schema: schema)))
            } catch {
                throw error.shifted(by: start)
            }
            index = close + 2
        }
        if !text.isEmpty { pieces.append(.text(text)) }
        self.source = template
        self.pieces = pieces
    }

    /// The offset of the `}}` ending a placeholder body, skipping braces of map literals and
    /// anything inside string literals, so `{{ {"a": {"b": 1}} }}` works.
    private static func closingBraces(in characters: [Character], from start: Int) -> Int? {
        var depth = 0
        var index = start
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\"", "'":
                index += 1
                while index < characters.count, characters[index] != character {
                    index += characters[index] == "\\" ? 2 : 1
                }
            case "{":
                depth += 1
            case "}":
                if depth == 0 {
                    return index + 1 < characters.count && characters[index + 1] == "}" ? index : nil
                }
                depth -= 1
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// Never fails: a placeholder that cannot be evaluated renders as `<error: message>`.
    /// `budget` is shared by all placeholders, so a template costs no more than one expression.
    public func render(_ bindings: [String: PolicyValue], budget: Int = 100_000) -> String {
        var meter = ExpressionCostMeter(budget: budget)
        var output = ""
        for piece in pieces {
            switch piece {
            case .text(let text):
                output += text
            case .placeholder(let expression):
                do {
                    output += try expression.evaluate(bindings, meter: &meter).rendered(meter: &meter, at: 0)
                } catch {
                    output += "<error: \(error.message)>"
                }
            }
        }
        // A message is one line of a report: long values are cut, not carried whole.
        return output.count > Self.messageLimit ? String(output.prefix(Self.messageLimit)) + "…" : output
    }

    static let messageLimit = 2_000
}
