import Foundation
import Glibc
import HTTPTypes
import OrbrecCore
@testable import OrbrecServer
import Testing

@Suite("Server: the tokens file")
struct TokensFileTests {
    static let secret = "a-worker-secret-0123456789"
    static var digest: String { TokenSecret.sha256(secret) }

    static func problems(_ text: String) -> [String] {
        do {
            _ = try TokensFile.parse(text, file: "t.yaml")
            return []
        } catch {
            return error.problems
        }
    }

    @Test func readsYAMLAndJSON() throws {
        let other = TokenSecret.sha256("another-secret-0123456789")
        let yaml = try TokensFile.parse("""
            # who may call the API
            tokens:
              - name: ci-worker
                sha256: \(Self.digest.uppercased())
                scopes: [worker]
                rateLimit: {perSecond: 2.5}
              - name: ops.team
                sha256: \(other)
                scopes: [read, operate, read]
                rateLimit: {perSecond: 0.5, burst: 4}
            """, file: "t.yaml")
        #expect(yaml.map(\.name) == ["ci-worker", "ops.team"])
        #expect(yaml[0].scopes == [.worker] && yaml[1].scopes == [.read, .operate])
        #expect(yaml[0].rateLimit == RateLimit(perSecond: 2.5, burst: 3), "without a burst, one second's worth, rounded up")
        #expect(yaml[1].rateLimit == RateLimit(perSecond: 0.5, burst: 4))
        #expect(yaml[0].digest == Array(TokenDigest.of(Array(Self.secret.utf8))))

        let json = try TokensFile.parse(#"{"tokens": [{"name": "r", "sha256": "\#(Self.digest)", "scopes": ["read"]}]}"#, file: "t.json")
        #expect(json.count == 1 && json[0].rateLimit == nil && json[0].scopes == [.read])
        #expect(try TokensFile.parse("tokens: []\n", file: "t.yaml").isEmpty, "an empty list lets no token in")
    }

    @Test func everyProblemIsLocatedAndNoneRepeatsAHash() {
        let found = Self.problems("""
            tokens:
              - name: a
                sha256: \(Self.digest)x
                scopes: [read, admin]
                colour: blue
              - name: a b
                sha256: \(Self.digest)
                scopes: []
                rateLimit: {perSecond: 0, burst: 1.5, per: 2}
              - scopes: [read]
              - just a string
            extra: 1
            """)
        #expect(found.contains("t.yaml:3:13: tokens[0].sha256 must be 64 hex digits, the SHA-256 of the secret (orbrec token hash prints it)"), "\(found)")
        #expect(found.contains("t.yaml:4:20: tokens[0].scopes: unknown scope \"admin\": use read, operate, worker"), "\(found)")
        #expect(found.contains("t.yaml:5:5: unknown field 'colour' in tokens[0] (use name, sha256, scopes, rateLimit)"), "\(found)")
        #expect(found.contains { $0.hasPrefix("t.yaml:6:11: tokens[1].name: a token's name must be 1 to 63") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("t.yaml:8:13: tokens[1].scopes must be a list of at least one of read, operate, worker") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("t.yaml:9:28: tokens[1].rateLimit.perSecond must be a number above 0") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("t.yaml:9:38: tokens[1].rateLimit.burst must be a whole number") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("t.yaml:9:43: unknown field 'per' in tokens[1].rateLimit") }, "\(found)")
        #expect(found.contains("t.yaml:10:5: tokens[2] has no name") && found.contains("t.yaml:10:5: tokens[2] has no sha256"), "\(found)")
        #expect(found.contains("t.yaml:11:5: tokens[3] must be a mapping with name, sha256 and scopes"), "\(found)")
        #expect(found.contains("t.yaml:12:1: unknown field 'extra' (the file has only `tokens:`)"), "\(found)")
        #expect(found.count == 12, "\(found)")
        #expect(!found.joined().contains(Self.digest), "a hash is never repeated")
    }

    @Test func namesAndHashesAreUniqueAndTheSingleTokensNameIsKept() {
        let found = Self.problems("""
            tokens:
              - {name: a, sha256: \(Self.digest), scopes: [read]}
              - {name: a, sha256: \(TokenSecret.sha256("x-0123456789abcdef")), scopes: [read]}
              - {name: b, sha256: \(Self.digest.uppercased()), scopes: [operate]}
              - {name: token, sha256: \(TokenSecret.sha256("y-0123456789abcdef")), scopes: [read]}
            """)
        #expect(found == [
            "t.yaml:3:5: tokens[1]: the name a is already used by tokens[0]",
            "t.yaml:4:5: tokens[2] (b) has the same sha256 as a: one secret, one entry",
            "t.yaml:5:12: tokens[3].name: token is the name of ORBREC_TOKEN and --token-file's token; choose another",
        ], "\(found)")
    }

    @Test(arguments: ["", "# nothing\n", "tokens:\n", "- name: a\n", "tokens: {name: a}\n", "tokens: [\n", "tokens: []\ntokens: []\n"])
    func filesThatAreNotATokenListAreRefused(_ text: String) {
        let found = Self.problems(text)
        #expect(!found.isEmpty && found.allSatisfy { $0.hasPrefix("t.yaml") }, "\(found)")
    }

    @Test func aFileOpenToOthersIsRefusedBeforeItIsRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-tokens-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/tokens.yaml"
        try "tokens:\n  - {name: r, sha256: \(Self.digest), scopes: [read]}\n".write(toFile: path, atomically: false, encoding: .utf8)
        for (mode, refusal) in [(0o644 as mode_t, "is open to its group (mode 644)"), (0o604, "is open to other users (mode 604)"),
                                (0o620, "is open to its group (mode 620)")] {
            chmod(path, mode)
            #expect(throws: TokensFileError.self) { try TokensFile.read(path) }
            do {
                _ = try TokensFile.read(path)
            } catch {
                #expect(error.description == "the tokens file \(path) \(refusal): whoever can change it can let any token in. Make it private: chmod 600 \(path)")
            }
        }
        chmod(path, 0o600)
        #expect(try TokensFile.read(path).map(\.name) == ["r"])
        chmod(path, 0o400)
        #expect(try TokensFile.read(path).map(\.name) == ["r"])
        let link = directory + "/link.yaml"
        symlink(path, link)
        #expect(try TokensFile.read(link).map(\.name) == ["r"], "a symbolic link is followed (Kubernetes mounts secrets so)")
        for (other, refusal) in [(directory, "is not a regular file"), (directory + "/none", "cannot open the tokens file")] {
            do {
                _ = try TokensFile.read(other)
                Issue.record("\(other) was read")
            } catch {
                #expect(error.description.contains(refusal), "\(error)")
            }
        }
    }
}

@Suite("Server: keys, limits and scopes")
struct TokenAccessTests {
    static func fields(_ secret: String?) -> HTTPFields {
        var fields = HTTPFields()
        if let secret { fields[.authorization] = "Bearer " + secret }
        return fields
    }

    @Test func theKeyringFindsThePresentedTokenAndTakesReloadsAtOnce() throws {
        let single = try #require(BearerToken("single-token-0123456789"))
        let worker = TokenEntry(name: "w", digest: TokenDigest.of(Array("worker-secret-0123456789".utf8)), scopes: [.worker])
        let keyring = TokenKeyring(single: single, file: [worker])
        #expect(keyring.identify(Self.fields("single-token-0123456789"))?.scopes == Set(AccessScope.allCases))
        #expect(keyring.identify(Self.fields("single-token-0123456789"))?.name == "token")
        #expect(keyring.identify(Self.fields("worker-secret-0123456789"))?.name == "w")
        for wrong in [nil, "", "worker-secret-012345678", "worker-secret-01234567890", " worker-secret-0123456789", "WORKER-secret-0123456789"] {
            #expect(keyring.identify(Self.fields(wrong)) == nil, "\(String(describing: wrong))")
        }
        var lowerCase = HTTPFields()
        lowerCase[.authorization] = "bearer worker-secret-0123456789"
        #expect(keyring.identify(lowerCase)?.name == "w")

        keyring.replaceFileTokens([])
        #expect(keyring.identify(Self.fields("worker-secret-0123456789")) == nil, "removed at once")
        #expect(keyring.identify(Self.fields("single-token-0123456789")) != nil, "the single token is not the file's")
        #expect(!keyring.isEmpty && TokenKeyring(single: nil).isEmpty)
        #expect(!"\(worker)".contains(TokenDigest.hex(worker.digest)), "\(worker)")
    }

    @Test func theBucketLetsTheBurstThroughThenRefillsAtTheRate() {
        let limiter = RateLimiter()
        let limit = RateLimit(perSecond: 2, burst: 2)
        let start = ContinuousClock.now
        #expect(limiter.admit("a", limit, now: start) == nil)
        #expect(limiter.admit("a", limit, now: start) == nil)
        #expect(limiter.admit("a", limit, now: start) == 1, "empty: half a second to the next, answered as 1 s")
        #expect(limiter.admit("b", limit, now: start) == nil, "each token has its own bucket")
        #expect(limiter.admit("a", limit, now: start + .milliseconds(499)) == 1)
        #expect(limiter.admit("a", limit, now: start + .milliseconds(1000)) == nil, "refilled at 2 per second")
        #expect(limiter.admit("a", limit, now: start + .seconds(60)) == nil)
        #expect(limiter.admit("a", limit, now: start + .seconds(60)) == nil, "never more than the burst")
        #expect(limiter.admit("a", limit, now: start + .seconds(60)) != nil)
        let slow = RateLimit(perSecond: 0.1, burst: 1)
        #expect(limiter.admit("s", slow, now: start) == nil)
        #expect(limiter.admit("s", slow, now: start) == 10, "one every ten seconds")
        #expect(limiter.admit("s", RateLimit(perSecond: 0.1, burst: 2), now: start) == nil, "a changed limit starts a full bucket")
        for _ in 0..<1000 { #expect(limiter.admit("free", nil, now: start) == nil) }
    }

    @Test func scopeRequirements() {
        #expect(ScopeRequirement.read.isMet(by: [.read, .worker]))
        #expect(!ScopeRequirement.operate.isMet(by: [.read, .worker]))
        #expect(ScopeRequirement(.read, or: [.worker]).isMet(by: [.worker]))
        #expect(!ScopeRequirement(.read, or: [.worker]).isMet(by: [.operate]))
        #expect(!ScopeRequirement.read.isMet(by: []))
        #expect(AccessScope.list("read, worker") == .success([.read, .worker]))
        #expect(AccessScope.list("read,admin") == .failure(AccessScope.UnknownScope(name: "admin")))
    }
}
