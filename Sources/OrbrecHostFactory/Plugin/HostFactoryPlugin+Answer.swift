public import OrbrecCore
internal import Foundation

extension HostFactoryPlugin {
    /// A run's answer as `Answer`, or the plugin's failure as a ProviderError: exit 0 with the
    /// answer's JSON on stdout; otherwise the message HostFactory's contract puts on stdout.
    func interpret<Answer: Decodable>(_ run: ScriptRun, as answer: Answer.Type) throws(ProviderError) -> Answer {
        let name = run.script.fileName
        switch run.ending {
        case .timedOut:
            throw ProviderError(code: "PluginTimeout", message: "\(name) did not answer within \(timeout) and was killed", retryable: true)
        case .stillRunning:
            throw ProviderError(code: "PluginTimeout", message: "\(name) has not answered within \(timeout) and still runs", retryable: true)
        case .signaled(let signal):
            throw ProviderError(code: "PluginFailed", message: "\(name) was killed by signal \(signal)", retryable: true)
        case .exited(let status) where status != 0:
            throw ProviderError(code: "PluginFailed", message: "\(name) failed (exit \(status)): \(Self.failureMessage(run))", retryable: true)
        case .exited, .unseen:
            return try Self.decode(run.stdout, as: answer, script: run.script)
        }
    }

    /// Decodes the JSON a script printed. Plugins print what they log to stdout too (ORB's
    /// scripts send the orb command's stderr there), so the answer is taken from the first line
    /// that opens a JSON object to the last closing brace when the whole text is not one.
    static func decode<Answer: Decodable>(_ text: String, as answer: Answer.Type, script: HostFactoryScript) throws(ProviderError) -> Answer {
        let decoder = JSONDecoder()
        var lastError: (any Error)?
        for candidate in jsonCandidates(text) {
            do {
                return try decoder.decode(answer, from: Data(candidate.utf8))
            } catch {
                lastError = error
            }
        }
        let why = lastError.map { "\(Self.describe($0)); " } ?? ""
        throw ProviderError(code: "PluginAnswerUnreadable",
                            message: "\(script.fileName) answered what is not its JSON (\(why)stdout: \(excerpt(text)))")
    }

    static func jsonCandidates(_ text: String) -> [Substring] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        var candidates: [Substring] = []
        if trimmed.hasPrefix("{") { candidates.append(Substring(trimmed)) }
        let lines = trimmed.split(separator: "\n", omittingEmptySubsequences: false)
        var offset = trimmed.startIndex
        for line in lines {
            if line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("{"), offset != trimmed.startIndex,
               let close = trimmed.lastIndex(of: "}"), close > offset {
                candidates.append(trimmed[offset...close])
                break
            }
            offset = trimmed.index(offset, offsetBy: line.count)
            if offset < trimmed.endIndex { offset = trimmed.index(after: offset) }
        }
        return candidates
    }

    /// The message of a failed call: stdout (HostFactory's place for it), its `message` or
    /// `error` when it is JSON, else the end of stderr.
    static func failureMessage(_ run: ScriptRun) -> String {
        let out = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        for candidate in jsonCandidates(out) {
            if let object = try? JSONSerialization.jsonObject(with: Data(candidate.utf8)) as? [String: Any] {
                for key in ["message", "error", "errorMessage"] {
                    if let text = object[key] as? String, !text.isEmpty { return excerpt(text) }
                }
            }
        }
        if !out.isEmpty { return excerpt(out) }
        let lines = run.stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.isEmpty ? "no message" : excerpt(lines.suffix(3).joined(separator: " | "))
    }

    static func excerpt(_ text: String, limit: Int = 400) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        return flat.count <= limit ? flat : String(flat.prefix(limit)) + "…"
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "no \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let at = path(context.codingPath)
            return at.isEmpty ? context.debugDescription : "\(at): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}
