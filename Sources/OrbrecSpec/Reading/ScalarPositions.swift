internal import OrbrecCore
internal import Yams

/// Where each character of a scalar's value was written in its file, so that a position
/// inside an expression is reported at the file's own line and column: through quotes,
/// escapes (`\"`, `''`, `\u0041`), line folding and block indentation.
///
/// The value and the raw text are walked together: a character of the value is placed where
/// it (or the escape that makes it) appears in the raw text; raw characters that make
/// nothing of the value (quotes, indentation, line breaks folded away) are stepped over.
enum ScalarPositions {
    /// At most this many raw characters are stepped over for one value character; past it the
    /// walk gives up and the caller falls back to the scalar's start.
    static let maxSkip = 400

    static func of(_ scalar: Node.Scalar, start: SourceLocation, lines: [Substring]) -> [SourceLocation] {
        let value = Array(scalar.string)
        let quoted = scalar.style == .doubleQuoted
        let singleQuoted = scalar.style == .singleQuoted
        let block = scalar.style == .literal || scalar.style == .folded
        // A block's text starts on the line after its indicator (which may carry a comment).
        var line = block ? start.line + 1 : start.line
        var column = block ? 1 : start.column
        var positions: [SourceLocation] = []
        positions.reserveCapacity(value.count)

        func raw(_ offset: Int = 0) -> Character? {
            var l = line, c = column + offset
            while l - 1 < lines.count {
                let text = Array(lines[l - 1])
                if c - 1 < text.count { return text[c - 1] }
                if c - 1 == text.count { return "\n" }
                c -= text.count + 1
                l += 1
            }
            return nil
        }
        func advance(_ count: Int) {
            for _ in 0..<count {
                guard line - 1 < lines.count else { return }
                if column - 1 >= lines[line - 1].count {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            }
        }

        for character in value {
            var skipped = 0
            while true {
                guard let current = raw(), skipped <= maxSkip else { return [] }
                if quoted && current == "\\" {
                    let length: Int = switch raw(1) {
                    case "u": 6
                    case "U": 10
                    case "x": 4
                    case "\n": 1  // an escaped line break makes nothing
                    default: 2
                    }
                    if length == 1 { advance(1); skipped += 1; continue }
                    positions.append(SourceLocation(file: start.file, line: line, column: column))
                    advance(length)
                    break
                }
                if singleQuoted && current == "'" && raw(1) == "'" && character == "'" {
                    positions.append(SourceLocation(file: start.file, line: line, column: column))
                    advance(2)
                    break
                }
                if current == character && !((quoted || singleQuoted) && current == (quoted ? "\"" : "'") && positions.isEmpty && skipped == 0) {
                    positions.append(SourceLocation(file: start.file, line: line, column: column))
                    advance(1)
                    break
                }
                advance(1)
                skipped += 1
            }
        }
        return positions
    }
}
