internal import Foundation
internal import Glibc
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecStore

/// `--watch`: shows a command's output again whenever it changes, until SIGINT (exit 0).
///
/// The state is looked at every `interval` through its change counter (it moves when
/// another process commits), so an idle watch reads almost
/// nothing; the output is made again when the counter moved, and every `refresh` regardless
/// for what is only observed (providers' machines), never written. On a terminal the screen
/// is redrawn under a header; elsewhere a block is printed only when its text changed,
/// blocks apart by a blank line, so a pipe gets each change once.
struct Watcher {
    let terminal: Terminal
    let session: Session
    /// What the header names: `orbrec status`.
    let title: String
    var interval: Duration = .seconds(1)
    /// Also made again after this long without a change in the state (nil: only on changes).
    var refresh: Duration?

    /// Runs `render` (given the state, nil while there is none) until SIGINT or SIGTERM.
    func run(_ render: @escaping @Sendable (StateStore?) async throws -> String) async throws -> ExitStatus {
        try await StopOnSignal.run {
            var store: StateStore?
            var counter: Int?
            var shown: String?
            var madeAt = ContinuousClock.now
            var first = true
            while !Task.isCancelled {
                if store == nil { store = try await session.openExistingStore() }
                let now = try await store?.othersChangeCounter()
                let due = first || now != counter || refresh.map { ContinuousClock.now - madeAt >= $0 } == true
                if due {
                    counter = now
                    madeAt = ContinuousClock.now
                    let text = try await render(store)
                    if text != shown { draw(text, again: shown != nil) }
                    shown = text
                }
                first = false
                try await Task.sleep(for: interval)
            }
        }
    }

    private func draw(_ text: String, again: Bool) {
        guard terminal.stdoutIsTerminal else {
            if again { terminal.out() }
            terminal.out(text)
            return
        }
        // Home and erase, then the header as `watch` prints it.
        let header = terminal.dim("Every \(interval.components.seconds)s: \(title)    \(Format.time(SystemClock().now()))  (Ctrl-C ends)")
        FileHandle.standardOutput.write(Data("\u{1B}[H\u{1B}[2J".utf8))
        terminal.out(header + "\n\n" + text)
    }
}
