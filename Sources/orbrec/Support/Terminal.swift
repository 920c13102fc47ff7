internal import Foundation
internal import Glibc
internal import OrbrecCore

/// Where output goes and whether it may be coloured: only on a terminal, never with
/// `NO_COLOR` or `--no-color`.
struct Terminal: Sendable {
    let colour: Bool
    let stdoutIsTerminal: Bool
    let stdinIsTerminal: Bool

    init(noColor: Bool) {
        stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
        stdinIsTerminal = isatty(STDIN_FILENO) == 1
        let environment = ProcessInfo.processInfo.environment
        colour = stdoutIsTerminal && !noColor && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    private func paint(_ text: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func green(_ text: String) -> String { paint(text, "32") }
    func red(_ text: String) -> String { paint(text, "31") }
    func yellow(_ text: String) -> String { paint(text, "33") }
    func bold(_ text: String) -> String { paint(text, "1") }
    func dim(_ text: String) -> String { paint(text, "2") }

    func out(_ text: String = "") {
        let handle = Self.outputDiverted.isSet ? FileHandle.standardError : FileHandle.standardOutput
        // A reader that went away (`| head`) is not a failure of the command: it finishes its work
        // (and releases its lock) rather than crashing on the closed pipe.
        try? handle.write(contentsOf: Data((Self.displayable(text) + "\n").utf8))
    }

    /// Set by a command printing a JSON or YAML document that also has lines for people
    /// (`apply -o json`): from then on `out` writes to stderr and only `document` to stdout.
    static let outputDiverted = OnceFlag()

    static func divertOutput() { outputDiverted.set() }

    /// Diagnostics, notes and progress go to stderr so stdout stays parseable.
    func err(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data((Self.displayable(text) + "\n").utf8))
    }

    func error(_ message: String) {
        err("\(stderrColour ? "\u{1B}[31merror:\u{1B}[0m" : "error:") \(message)")
    }

    func note(_ message: String) { err("note: \(message)") }

    private var stderrColour: Bool {
        colour && isatty(STDERR_FILENO) == 1
    }

    /// Rewrites one status line in place on a terminal; elsewhere prints it once.
    func progress(_ line: String) {
        if isatty(STDERR_FILENO) == 1 {
            try? FileHandle.standardError.write(contentsOf: Data("\r\u{1B}[K\(Self.displayable(line))".utf8))
        } else {
            err(line)
        }
    }

    func endProgress() {
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// The text as it may reach a terminal: line feeds and tabs kept, the colours `paint`
    /// makes kept, every other control character (CR, ESC of any other sequence, BEL…)
    /// escaped. Keys, names and provider messages are the user's: they must not move the
    /// cursor, erase a line or retitle the window.
    static func displayable(_ text: String, keepingLines: Bool = true) -> String {
        let scalars = Array(text.unicodeScalars)
        func kept(_ scalar: Unicode.Scalar) -> Bool { keepingLines && (scalar == "\n" || scalar == "\t") }
        guard scalars.contains(where: { TextEscaping.isControl($0) && !kept($0) }) else { return text }
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\u{1B}", let length = paintedSequenceLength(scalars, at: index) {
                result.append(contentsOf: scalars[index..<(index + length)])
                index += length
                continue
            }
            if TextEscaping.isControl(scalar), !kept(scalar) {
                result.append(contentsOf: TextEscaping.escapingControls(String(scalar)).unicodeScalars)
            } else {
                result.append(scalar)
            }
            index += 1
        }
        return String(result)
    }

    /// The length of one of the SGR sequences `paint` makes (`ESC [ 0|1|2|31|32|33 m`) at
    /// `index`, or nil for any other sequence.
    private static func paintedSequenceLength(_ scalars: [Unicode.Scalar], at index: Int) -> Int? {
        for code in ["0", "1", "2", "31", "32", "33"] {
            let sequence = Array("\u{1B}[\(code)m".unicodeScalars)
            if index + sequence.count <= scalars.count, Array(scalars[index..<(index + sequence.count)]) == sequence {
                return sequence.count
            }
        }
        return nil
    }
}
