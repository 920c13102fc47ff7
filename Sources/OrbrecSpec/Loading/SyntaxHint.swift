internal import OrbrecCore
internal import Yams

/// A YAML or JSON syntax error said in plain words, at the place to fix.
///
/// libyaml names what its grammar expected ("did not find expected key"), at the point it
/// gave up, which for an unclosed quote or bracket is the end of the file. The hint says
/// what the writer most likely did, and an unclosed opener is reported where it opens; the
/// parser's own words follow in parentheses, for searching.
enum SyntaxHint {
    /// What the parser was reading when it failed, and where that began.
    struct Detail {
        var text: String
        var location: SourceLocation
    }

    static func report(problem: String, at mark: Mark, detail: YamlError.Context?, language: String, context: DecodeContext) {
        report(problem: problem, at: context.location(of: mark),
               detail: detail.map { Detail(text: $0.text, location: context.location(of: $0.mark)) }, language: language, context: context)
    }

    static func report(problem: String, at start: SourceLocation, detail: Detail?, language: String, context: DecodeContext) {
        var location = start
        let character = character(at: location, context: context)
        let hint: String?
        switch true {
        case problem.contains("did not find expected key"):
            hint = "this line is indented differently from the keys above it; the keys of one mapping start in the same column"
        case problem.contains("did not find expected '-' indicator"):
            hint = "this line is indented differently from the '- ' items above it; the items of one list start in the same column"
        case problem.contains("mapping values are not allowed"):
            hint = "a ': ' inside a value starts a key here; quote the value (\"a: b\"), or put the key on a line of its own"
        case problem.contains("block sequence entries are not allowed"):
            hint = "a '- ' list item cannot follow a key's value on its line; start the list on the next line, indented under its key"
        case problem.contains("tab character") || (problem.contains("cannot start any token") && character == "\t"):
            hint = "\(language) does not allow tabs for indentation; indent with spaces"
        case problem.contains("cannot start any token") && (character == "@" || character == "`"):
            hint = "a plain value cannot start with '\(character.map(String.init) ?? "")'; quote the value"
        case problem.contains("could not find expected ':'"):
            hint = "a key needs ': ' after it; or a value went on to this line and should be quoted"
        case problem.contains("unknown escape character"):
            hint = "in a double-quoted string a backslash starts an escape; write \\\\ for a backslash, or use single quotes"
        case problem.contains("end of stream") && detail?.text.contains("quoted scalar") == true:
            hint = "this quoted string is never closed; add the closing quote"
            location = detail?.location ?? location
        case problem.contains("expected ',' or ']'"):
            hint = opener(detail, context: context, &location).map { "the '[' list \($0) is never closed with ']', or an item lacks the ',' before it" }
                ?? "a list item lacks the ',' before it, or the list is not closed with ']'"
        case problem.contains("expected ',' or '}'"):
            hint = opener(detail, context: context, &location).map { "the '{' mapping \($0) is never closed with '}', or a field lacks the ',' before it" }
                ?? "a field lacks the ',' before it, or the mapping is not closed with '}'"
        case problem.contains("did not find expected node content"):
            hint = "a value is missing here, such as after a trailing ',' or a key's ':'"
        case problem.contains("expected <document start>"):
            hint = "this line does not continue the document above; check its indentation, or separate documents with '---'"
        default:
            hint = nil
        }
        let parser = problem + (detail.map { " \($0.text) at line \($0.location.line)" } ?? "")
        let message = hint.map { "\(language) syntax error: \($0) (\(parser))" }
            ?? "\(language) syntax error: \(problem)" + (detail.map { " (\($0.text) at line \($0.location.line))" } ?? "")
        context.errorWithExcerpt("syntax", message, at: location)
    }

    /// An unclosed `[` or `{` is reported where it opens when the parser noticed it on a
    /// later line; the phrase says where it noticed.
    private static func opener(_ detail: Detail?, context: DecodeContext, _ location: inout SourceLocation) -> String? {
        guard let detail, detail.location.line != location.line else { return nil }
        let noticed = location.line
        location = detail.location
        return "opened here (the parser found the problem at line \(noticed))"
    }

    private static func character(at location: SourceLocation, context: DecodeContext) -> Character? {
        guard let excerpt = context.excerpt(at: location) else { return nil }
        let scalars = Array(excerpt.text.unicodeScalars)
        return excerpt.column - 1 < scalars.count ? Character(scalars[excerpt.column - 1]) : nil
    }
}
