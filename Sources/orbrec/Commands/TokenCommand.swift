internal import ArgumentParser
internal import Foundation
internal import OrbrecCore
internal import OrbrecServer

/// `orbrec token new|hash`: entries for the daemon's tokens file, which holds only the SHA-256
/// of each secret. The secret is shown once, by `new`, and never read from the command line.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Make entries for the daemon's tokens file (orbrec run --tokens-file).",
        subcommands: [New.self, Hash.self])

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new secret, print it once, and print the tokens file entry that lets it in.",
            discussion: """
                The secret is 32 random bytes in hex. Give it to the client (Authorization: Bearer SECRET); \
                the entry holds only its SHA-256. Add the entry under `tokens:` and send the daemon SIGHUP.
                """)

        @Option(help: "The token's name, for logs, metrics and refusals (letters, digits, '-', '_', '.').")
        var name: String

        @Option(help: ArgumentHelp("What the token may do: read, operate, worker, comma-separated.", valueName: "scopes"))
        var scopes: String

        @Option(help: ArgumentHelp("Requests per second the token may make on average (no limit without it).", valueName: "n"))
        var rateLimit: Double?

        @Option(help: ArgumentHelp("Requests the token may make at once (with --rate-limit; default one second's worth).", valueName: "n"))
        var burst: Int?

        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let problem = TokensFile.nameProblem(name) { throw ValidationError("--name: \(problem)") }
            _ = try Self.scopes(scopes)
            if let rateLimit, !(rateLimit > 0 && rateLimit <= 100_000) { throw ValidationError("--rate-limit must be above 0, at most 100000") }
            if let burst, !(1...100_000).contains(burst) { throw ValidationError("--burst must be from 1 to 100000") }
            if burst != nil && rateLimit == nil { throw ValidationError("--burst goes with --rate-limit") }
        }

        /// `2` rather than `2.0`.
        static func plain(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
        }

        static func scopes(_ text: String) throws -> Set<AccessScope> {
            switch AccessScope.list(text) {
            case .success(let scopes) where !scopes.isEmpty: return scopes
            case .success: throw ValidationError("--scopes needs at least one of read, operate, worker")
            case .failure(let unknown): throw ValidationError("--scopes: \(unknown.message)")
            }
        }

        func run() async throws {
            let secret = TokenSecret.generate()
            let scopes = AccessScope.allCases.filter(try Self.scopes(self.scopes).contains).map(\.rawValue)
            let digest = TokenSecret.sha256(secret)
            let terminal = Terminal(noColor: true)
            let limit = rateLimit.map { TokenDocument.Limit(perSecond: $0, burst: burst ?? max(1, Int($0.rounded(.up)))) }
            if output.format.isDocument {
                try terminal.document(TokenDocument(name: name, secret: secret, sha256: digest, scopes: scopes, rateLimit: limit), as: output.format)
                return
            }
            var entry = "  - name: \(name)\n    sha256: \(digest)\n    scopes: [\(scopes.joined(separator: ", "))]"
            if let limit { entry += "\n    rateLimit: {perSecond: \(Self.plain(limit.perSecond)), burst: \(limit.burst)}" }
            terminal.out("""
                # The secret, shown this once: give it to the client (Authorization: Bearer <secret>).
                \(secret)
                # Add this entry under `tokens:` in the tokens file, then reload the daemon (SIGHUP):
                \(entry)
                """)
        }
    }

    struct Hash: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the SHA-256 of a secret read from standard input, for the tokens file's sha256.",
            discussion: "Reads one line (an existing token, such as ORBREC_TOKEN's: printf %s \"$ORBREC_TOKEN\" | orbrec token hash). "
                + "The secret is never taken as an argument: arguments are visible to every user in ps.")

        func run() async throws {
            let input = FileHandle.standardInput.readDataToEndOfFile()
            let line = String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let secret = line.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\r")))
            guard BearerToken(secret) != nil else {
                throw ValidationError("the secret on standard input is shorter than 16 characters (orbrec token new makes one)")
            }
            Terminal(noColor: true).out(TokenSecret.sha256(secret))
        }
    }
}

/// `orbrec token new -o json`: the secret, shown once, and its entry's fields.
struct TokenDocument: Encodable {
    struct Limit: Encodable {
        var perSecond: Double
        var burst: Int
    }

    var name: String
    var secret: String
    var sha256: String
    var scopes: [String]
    var rateLimit: Limit?
}
