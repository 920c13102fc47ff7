internal import Foundation
internal import Glibc

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
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Diagnostics, notes and progress go to stderr so stdout stays parseable.
    func err(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
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
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        } else {
            err(line)
        }
    }

    func endProgress() {
        if isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
