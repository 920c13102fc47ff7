internal import Foundation

extension Watcher {
    /// Watches this very command line without its `--watch`, run again as `watch(1)` does,
    /// whenever the state changes: what is shown is exactly what the command prints, in
    /// whatever output format it was asked for. (Its own run prints no colour: it writes
    /// to a pipe.) What it prints on stderr is shown only when it fails.
    func runAgainWithoutWatch() async throws -> ExitStatus {
        let arguments = Array(CommandLine.arguments.dropFirst()).filter { $0 != "--watch" && $0 != "-w" }
        let executable = Session.executablePath
        return try await run { _ in try Self.output(of: executable, arguments) }
    }

    static func output(of executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both before waiting: a full pipe would block the child.
        let errorText = Locked<Data>(Data())
        let read = DispatchSemaphore(value: 0)
        Thread {
            errorText.set(errors.fileHandleForReading.readDataToEndOfFile())
            read.signal()
        }.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        read.wait()
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        if process.terminationStatus != 0 {
            text += (text.isEmpty ? "" : "\n") + String(decoding: errorText.get(), as: UTF8.self)
                + "(exit \(process.terminationStatus))"
        }
        return text
    }
}

/// A value shared with the thread that reads a child's stderr.
private final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
}
