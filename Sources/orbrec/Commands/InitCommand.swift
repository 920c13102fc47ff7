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
            } catch {
                throw CommandFailure(.error, "cannot write into \(directory): \(error.localizedDescription)")
            }
            session.terminal.out("Wrote \(Quickstart.files.map(\.name).joined(separator: ", ")) into \(directory).")
            session.terminal.out("Next: orbrec plan -c \(directory)   then   orbrec apply -c \(directory) --wait")
            return .success
        }
    }
}
