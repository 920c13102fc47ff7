internal import ArgumentParser
internal import Foundation

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Write a working configuration (a local fleet of 3) into a directory.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The directory to create or fill (default: the current one).")
    var directory: String = "."

    func run() async throws {
        try await Session.run(global) { session in
            let manager = FileManager.default
            let existing = Quickstart.files.map { "\(directory)/\($0.name)" }.filter { manager.fileExists(atPath: $0) }
            guard existing.isEmpty else {
                throw CommandFailure(.error, "not overwriting \(existing.joined(separator: ", "))")
            }
            do {
                try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
                for file in Quickstart.files {
                    try (file.content + "\n").write(toFile: "\(directory)/\(file.name)", atomically: true, encoding: .utf8)
                }
                try Self.ignoreState(in: directory)
            } catch {
                throw CommandFailure(.error, "cannot write into \(directory): \(error.localizedDescription)")
            }
            session.terminal.out("Wrote \((Quickstart.files.map(\.name) + [".gitignore"]).joined(separator: ", ")) into \(directory).")
            session.terminal.out("Next: orbrec plan -c \(directory)   then   orbrec apply -c \(directory) --wait")
            return .success
        }
    }

    /// The state lives in `.orbrec/` beside the configuration: keep it out of the repository.
    /// An existing `.gitignore` gets the line added, once.
    static func ignoreState(in directory: String) throws {
        let path = directory + "/.gitignore"
        let entry = StateLocation.directoryName + "/"
        guard let existing = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
            try "# orbrec's state, task outputs and machine logs\n\(entry)\n".write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let lines = existing.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !lines.contains(where: { [entry, StateLocation.directoryName, "/" + entry, "/" + StateLocation.directoryName].contains($0) }) else { return }
        let separator = existing.isEmpty || existing.hasSuffix("\n") ? "" : "\n"
        try (existing + separator + entry + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}
