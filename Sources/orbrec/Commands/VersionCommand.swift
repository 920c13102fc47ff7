internal import ArgumentParser

struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version", abstract: "The version, and the commit and date of this build (as --version).")

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let terminal = Terminal(noColor: true)
        if output.format.isDocument {
            try terminal.document(VersionDocument(), as: output.format)
        } else {
            terminal.out(BuildInfo.summary)
        }
    }
}
