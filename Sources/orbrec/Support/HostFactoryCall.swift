internal import ArgumentParser
internal import Foundation
internal import Glibc
internal import OrbrecCore
internal import OrbrecEngine
internal import OrbrecHostFactory
internal import OrbrecAPI

/// One call of HostFactory's provider plugin contract, `SCRIPT -f INPUT.json`: the answer as
/// JSON on stdout and exit 0, or one line saying what went wrong on stdout and exit 1
/// (IBMSpectrumComputing/cloud-provider-plugins README: "exits with return code 1 if the call
/// fails and the error message is in stdout"). Nothing else ever reaches stdout: what orbrec
/// says besides goes to stderr, which is `$HF_PROVIDER_LOGDIR/orbrec-hostfactory.log` when
/// HostFactory names a log directory.
struct HostFactoryCall {
    /// What a call answers: the document for stdout, and what to do once it is out (carry
    /// out what was just journaled). The answer goes first, so a crash while acting cannot
    /// take back a request already journaled; its fate is getRequestStatus's to report.
    struct Answer {
        var document: any Encodable
        var then: (() async throws -> Void)?

        init(_ document: any Encodable, then: (() async throws -> Void)? = nil) {
            self.document = document
            self.then = then
        }
    }

    static let logFileName = "orbrec-hostfactory.log"

    let script: HostFactoryScript
    let inputFile: String?

    func run(_ options: GlobalOptions, _ body: (Session, Data) async throws -> Answer) async throws {
        let environment = ProcessInfo.processInfo.environment
        var global = options
        if global.configOption == nil, let confdir = environment["HF_PROVIDER_CONFDIR"], !confdir.isEmpty {
            global.config = confdir
        }
        if let logdir = environment["HF_PROVIDER_LOGDIR"], !logdir.isEmpty, Self.logToDirectory(logdir), global.logLevel == nil {
            global.logLevel = .info
        }
        // Whatever a command would print for people goes to stderr: stdout is HostFactory's.
        Terminal.divertOutput()
        let session = Session(global)
        session.logger.info("hostfactory call", [("time", Self.now()), ("op", script.rawValue), ("pid", String(getpid())),
                                                 ("input", inputFile ?? "-")])
        let answer: Answer
        do {
            answer = try await body(session, try readInput())
        } catch {
            let message = Self.message(for: error, script: script, inputFile: inputFile)
            if let failure = error as? CommandFailure { session.render(failure.diagnostics) }
            session.logger.log(.error, "hostfactory call failed", [("op", script.rawValue), ("message", message)])
            try? FileHandle.standardOutput.write(contentsOf: Data((message + "\n").utf8))
            throw ExitCode(ExitStatus.error.rawValue)
        }
        let json = try APIJSON.data(answer.document)
        try? FileHandle.standardOutput.write(contentsOf: json + Data("\n".utf8))
        // From here on stdout is stderr: the answer is whole and nothing may follow it.
        _ = dup2(STDERR_FILENO, STDOUT_FILENO)
        session.logger.info("hostfactory answer", [("op", script.rawValue), ("answer", String(decoding: json, as: UTF8.self))])
        guard let then = answer.then else { return }
        do {
            try await then()
        } catch {
            // The request is journaled and answered: what stopped this pass is for the log, and
            // the next call (or a daemon) carries the request on.
            session.logger.log(.warn, "hostfactory call could not carry the request out now", [("op", script.rawValue), ("error", "\(error)")])
        }
    }

    /// The input document's bytes: `{}` when no `-f` was given (getAvailableTemplates needs none).
    private func readInput() throws -> Data {
        guard let inputFile else { return Data("{}".utf8) }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: inputFile))
        } catch {
            throw CommandFailure(.error, "cannot read the input file \(inputFile): \((error as NSError).localizedDescription)")
        }
    }

    /// Decodes the input as the call's document, naming what is wrong with it when it is not one.
    static func decode<Document: Decodable>(_ type: Document.Type, from data: Data) throws -> Document {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw CommandFailure(.error, "the input is not the document this call takes: \(describe(error))")
        }
    }

    /// Appends stderr to `directory/orbrec-hostfactory.log`, making the directory if need be;
    /// false (stderr left alone) when it cannot.
    private static func logToDirectory(_ directory: String) -> Bool {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let descriptor = open(directory + "/" + logFileName, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return dup2(descriptor, STDERR_FILENO) >= 0
    }

    private static func now() -> String {
        ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC") ?? .current,
                                    formatOptions: [.withInternetDateTime, .withFractionalSeconds])
    }

    /// One line for HostFactory's log: what failed, without the control characters or line
    /// breaks a message from a provider or a file might carry.
    static func message(for error: any Error, script: HostFactoryScript, inputFile: String?) -> String {
        var text: String
        switch error {
        case let refused as MachineRequestRefused:
            text = "\(refused.message) (\(refused.code))"
        case let failure as CommandFailure:
            text = failure.message
            let located = failure.diagnostics.filter { $0.severity == .error }.prefix(3).map { diagnostic in
                (diagnostic.location.map { "\($0): " } ?? "") + diagnostic.message
            }
            if !located.isEmpty { text += ": " + located.joined(separator: "; ") }
        default:
            text = "\(error)"
        }
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "orbrec hostfactory \(script.rawValue): " + Terminal.displayable(line, keepingLines: false)
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case .valueNotFound(_, let context), .typeMismatch(_, let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not JSON (\(context.debugDescription))" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
