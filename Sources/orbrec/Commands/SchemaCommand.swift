internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecSpec

/// `orbrec schema [KIND]`: the JSON Schema of the configuration, from the field tables the
/// loader reads, for editors (`# yaml-language-server: $schema=…`) and validators.
struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of a kind's documents, or of a document of any kind.",
        discussion: "Kinds: \(ConfigurationSchema.kinds.map(\.rawValue).joined(separator: ", ")). "
            + "Without KIND the schema takes any document (its kind chooses its spec), and a JSON list of documents. "
            + "With --dir, writes orbrec.schema.json and one KIND.schema.json per kind there.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The kind (any casing); all kinds when omitted.")
    var kind: String?

    @Option(help: "Write the schemas as files into this directory instead of printing one.")
    var dir: String?

    func run() async throws {
        try await Session.run(global) { session in
            let kind = try kind.map(Self.kind(named:))
            guard let dir else {
                session.terminal.out(ConfigurationSchema.jsonSchema(for: kind))
                return .success
            }
            let files: [(String, ResourceKind?)] = kind.map { [("\($0.rawValue).schema.json", $0)] }
                ?? [("orbrec.schema.json", nil)] + ConfigurationSchema.kinds.map { ("\($0.rawValue).schema.json", $0) }
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                for (name, kind) in files {
                    try Data((ConfigurationSchema.jsonSchema(for: kind) + "\n").utf8).write(to: URL(fileURLWithPath: dir).appendingPathComponent(name))
                    session.terminal.out("wrote \(dir)/\(name)")
                }
            } catch {
                throw CommandFailure(.error, "cannot write the schemas into \(dir): \(error.localizedDescription)")
            }
            return .success
        }
    }

    static func kind(named text: String) throws -> ResourceKind {
        if let kind = ResourceKind(caseInsensitive: text), kind.isSupported { return kind }
        do throws(FieldExplanation.Failure) {
            _ = try FieldExplanation(text)
        } catch {
            throw CommandFailure(.error, error.message)
        }
        throw CommandFailure(.error, "'\(text)' is not a kind; write one of \(ConfigurationSchema.kinds.map(\.rawValue).joined(separator: ", "))")
    }
}
