/// A regular expression that answers "does the pattern occur in this text?" in time linear in
/// the text (times the program size), whatever the pattern: a Thompson NFA simulated as a
/// Pike VM, with no backtracking. Policy authors write patterns, so `(a*)*b` must not hang.
/// Matching works on Unicode scalars, as RE2 works on code points.
struct SafeRegex: Sendable {
    let pattern: String
    let program: [RegexInstruction]
    /// Lets the search stop once no thread survives, instead of retrying at every offset.
    let anchoredAtStart: Bool

    init(compiling pattern: String) throws(RegexSyntaxError) {
        var parser = RegexParser(pattern)
        let tree = try parser.parse()
        var compiler = RegexCompiler()
        self.pattern = pattern
        self.program = try compiler.compile(tree)
        self.anchoredAtStart = tree.isAnchoredAtStart
    }
}
