import Foundation
import OrbrecTestSupport
import Testing

/// What only a PostgreSQL state has: one state for several working directories (and hosts),
/// a password that must never show, URLs that can be wrong and servers that may not answer.
/// Needs the server scripts/test.sh starts (`ORBREC_TEST_POSTGRES`): without it these fail.
@Suite("PostgreSQL state", .serialized)
struct PostgresStateEndToEndTests {
    static var secret: String { ProcessInfo.processInfo.environment["ORBREC_TEST_POSTGRES_PASSWORD"] ?? "pw-test-secret" }

    /// The test server as `orbrec_pw`, who logs in with its password only, on `schema`; the
    /// password in the URL when one is given.
    static func passwordURL(schema: String, password: String? = nil) throws -> String {
        let base = try #require(ProcessInfo.processInfo.environment["ORBREC_TEST_POSTGRES_PASSWORD_URL"],
                                "ORBREC_TEST_POSTGRES_PASSWORD_URL is not set: run scripts/test.sh, which starts PostgreSQL")
        let url = password.map { base.replacingOccurrences(of: "://orbrec_pw@", with: "://orbrec_pw:\($0)@") } ?? base
        return url + "?schema=" + schema
    }

    /// Runs orbrec from `directory`, with only the arguments given: no `-c`, no `--state` added.
    static func orbrec(_ h: Harness, in directory: String, _ arguments: [String], environment: [String: String] = [:],
                       timeout: Double = 120) throws -> Harness.Result {
        try h.spawn("/usr/bin/env", ["-C", directory, Harness.binary] + arguments, environment: environment).wait(timeout: timeout)
    }

    static func json(_ text: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }

    /// A port nothing listens on: bound by the kernel's choice, then closed.
    static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 ? getsockname(fd, pointer, &length) : -1
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    // MARK: One state, two directories

    @Test func twoCopiesOfTheConfigurationInTwoDirectoriesShareOneState() throws {
        let h = try Harness(backend: .postgres)
        try h.writeFleet(count: 2)
        let first = h.directory + "/first", second = h.directory + "/second"
        try FileManager.default.copyItem(atPath: h.config, toPath: first)
        try FileManager.default.copyItem(atPath: h.config, toPath: second)
        // No ORBREC_DATA_DIR: machine logs go to each directory's .orbrec, as for a user.
        let user = ["ORBREC_DATA_DIR": ""]

        let applied = try Self.orbrec(h, in: first, ["apply", "--auto-approve", "--state", h.state], environment: user)
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        let seen = try Self.orbrec(h, in: second, ["get", "machines", "-o", "json", "--state", h.state], environment: user)
        let machines = (Self.json(seen.stdout) as? [[String: Any]] ?? []).filter { $0["state"] as? String == "running" }
        #expect(machines.count == 2, "the second directory sees the first's machines: \(seen.stdout)\(seen.stderr)")
        let converged = try Self.orbrec(h, in: second, ["plan", "--detailed-exitcode", "--state", h.state], environment: user)
        #expect(converged.status == 0, "the same configuration elsewhere plans nothing: \(converged.stdout)\(converged.stderr)")
        let stateID = try h.stateID()
        #expect(Set(h.machineProcesses(stateID: stateID).keys) == Set(machines.compactMap { $0["id"] as? String }))
        let logs = (try? FileManager.default.contentsOfDirectory(atPath: first + "/.orbrec/machines")) ?? []
        #expect(!logs.isEmpty, "a URL state keeps machine logs in CONFIG_DIR/.orbrec")
        for directory in [first, second] {
            #expect(!FileManager.default.fileExists(atPath: directory + "/.orbrec/state.db"), "no state file beside \(directory)")
        }

        // A plan saved in one directory applies in the other, which names no state: the plan does.
        try h.writeFleet(count: 3)
        for directory in [first, second] {
            try FileManager.default.removeItem(atPath: directory + "/workers.yaml")
            try FileManager.default.copyItem(atPath: h.config + "/workers.yaml", toPath: directory + "/workers.yaml")
        }
        // Beside the directories: a JSON file inside one would be read as configuration.
        let plan = h.directory + "/plan.json"
        let saved = try Self.orbrec(h, in: second, ["plan", "--out", plan, "--state", h.state], environment: user)
        #expect(saved.status == 0, "\(saved.stdout)\(saved.stderr)")
        let document = Self.json((try? String(contentsOfFile: plan, encoding: .utf8)) ?? "") as? [String: Any]
        #expect(document?["state"] as? String == h.state, "the saved plan names the PostgreSQL state")
        let elsewhere = try Self.orbrec(h, in: first, ["apply", plan, "-c", "."], environment: user)
        #expect(elsewhere.status == 0, "\(elsewhere.stdout)\(elsewhere.stderr)")
        #expect(h.machineProcesses(stateID: stateID).count == 3)
        let after = try Self.orbrec(h, in: second, ["plan", "--detailed-exitcode", "--state", h.state], environment: user)
        #expect(after.status == 0, "the directory that saved the plan sees it applied: \(after.stdout)\(after.stderr)")
        let again = try Self.orbrec(h, in: second, ["apply", plan, "-c", "."], environment: user)
        #expect(again.status == 4, "a saved plan applies once, whichever directory tries: \(again.stdout)\(again.stderr)")
    }

    // MARK: The password

    /// The URL's password, `PGPASSWORD`, and a password file named by `PGPASSFILE`.
    enum PasswordSource: String, CaseIterable, Sendable, CustomStringConvertible {
        case url, environment, pgpass
        var description: String { rawValue }
    }

    /// A private password file for `state`'s server, database and user, in `directory`.
    static func writePgpass(in directory: String, for state: String) throws -> String {
        let server = try #require(URLComponents(string: state))
        let path = directory + "/.pgpass"
        try "\(server.host ?? ""):\(server.port ?? 5432):\(server.path.dropFirst()):orbrec_pw:\(secret)\n"
            .write(toFile: path, atomically: false, encoding: .utf8)
        #expect(chmod(path, 0o600) == 0)
        return path
    }

    /// Every way a password reaches orbrec: the command works, and the password shows nowhere
    /// orbrec writes: output, documents, a saved plan, logs, errors, or what its children see.
    @Test(arguments: PasswordSource.allCases)
    func thePasswordNeverShows(_ source: PasswordSource) async throws {
        let h = try Harness(backend: .postgres)
        defer { h.killTasks() }
        let schema = try #require(h.schema)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-pgpass-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        var environment = ["PGPASSWORD": "", "PGPASSFILE": "", "HOME": home]
        let state: String
        switch source {
        case .url:
            state = try Self.passwordURL(schema: schema, password: Self.secret)
        case .environment:
            state = try Self.passwordURL(schema: schema)
            environment["PGPASSWORD"] = Self.secret
        case .pgpass:
            state = try Self.passwordURL(schema: schema)
            environment["PGPASSFILE"] = try Self.writePgpass(in: home, for: state)
        }
        var results: [String: Harness.Result] = [:]
        func run(_ name: String, _ arguments: [String], in directory: String? = nil, extra: [String: String] = [:]) throws -> Harness.Result {
            let result = try h.spawn("/usr/bin/env", ["-C", directory ?? h.directory, Harness.binary] + arguments + ["-c", h.config, "--state", state],
                                     environment: environment.merging(extra) { $1 }).wait(timeout: 120)
            results[name] = result
            return result
        }

        try h.writeFleet(count: 1)
        try h.writePool(slots: 2, spec: """
            range: {from: 1, to: 2}
            command: ["sh", "-c", "echo task ${item}"]
            """)
        let applied = try run("apply", ["apply", "--auto-approve", "--wait", "--timeout", "60s"])
        #expect(applied.status == 0, "\(source): \(applied.stdout)\(applied.stderr)")
        for (name, arguments) in [
            ("plan --json", ["plan", "--json"]), ("plan --out", ["plan", "--out", h.directory + "/plan.json"]),
            ("status", ["status"]), ("status -o json", ["status", "-o", "json"]), ("get machines", ["get", "machines", "-o", "json"]),
            ("get tasks", ["get", "tasks", "-o", "yaml"]), ("describe", ["describe", "Fleet/workers"]), ("history", ["history", "--json"]),
            ("lock status", ["lock", "status"]), ("lock status --json", ["lock", "status", "--json"]),
        ] {
            let result = try run(name, arguments)
            #expect(result.status == 0, "\(source) \(name): \(result.stdout)\(result.stderr)")
        }
        let plan = (try? String(contentsOfFile: h.directory + "/plan.json", encoding: .utf8)) ?? ""
        #expect(plan.contains("orbrec_pw"), "the saved plan names the state, without its password: \(plan.prefix(300))")
        #expect(try run("apply saved", ["apply", h.directory + "/plan.json"]).status == 0)

        // While an apply holds the lock: lock status, and the apply that waits for it in vain.
        try h.writeFleet(count: 2)
        let holder = try h.spawn("/usr/bin/env", [Harness.binary, "apply", "-c", h.config, "--state", state], environment: environment)
        defer { holder.kill9() }
        #expect(h.eventually(timeout: 20) { (try? run("lock status held", ["lock", "status"]))?.stdout.contains("Operation: apply") == true },
                "\(source): the holder takes the lock")
        let locked = try run("locked", ["apply", "--auto-approve", "--lock-timeout", "1s"])
        #expect(locked.status == 5, "\(source): \(locked.stderr)")
        // No answer at the prompt (not a write: the holder may be gone, and a write would SIGPIPE the test).
        holder.closeInput()
        results["holder"] = try holder.wait(timeout: 30)

        // Failures that name the state: a schema that is no orbrec state.
        let foreign = "f_" + schema
        _ = try h.psql("CREATE SCHEMA \(foreign); CREATE TABLE \(foreign).customers (id int)")
        let refused = try h.spawn("/usr/bin/env", [Harness.binary, "status", "-c", h.config, "--state",
                                                   state.replacingOccurrences(of: "schema=" + schema, with: "schema=" + foreign)],
                                  environment: environment).wait(timeout: 60)
        results["foreign schema"] = refused
        #expect(refused.status == 1 && refused.stderr.contains("not an orbrec state"), "\(source): \(refused.stderr)")

        // The daemon's log names the state it serves.
        let daemon = try h.spawn("/usr/bin/env", [Harness.binary, "run", "-c", h.config, "--state", state, "--listen", "127.0.0.1:0",
                                                  "--log-level", "debug"], environment: environment)
        defer { daemon.kill9() }
        #expect(h.eventually(timeout: 30) { ((try? String(contentsOfFile: daemon.errorFile, encoding: .utf8)) ?? "").contains("msg=listening") },
                "\(source): the daemon starts")
        try await Task.sleep(for: .seconds(1))
        kill(daemon.pid, SIGTERM)
        results["daemon"] = try daemon.wait(timeout: 30)
        #expect(results["daemon"]?.status == 0, "\(source): \(results["daemon"]?.stderr.suffix(1000) ?? "")")

        if source == .url {
            // Interrupted while waiting, apply says how to go on: with the state, its password hidden.
            try h.writePool(slots: 1, spec: """
                items: [slow]
                command: ["sleep", "30"]
                """)
            let waiting = try h.spawn("/usr/bin/env", [Harness.binary, "apply", "--auto-approve", "--wait", "-c", h.config, "--state", state],
                                      environment: environment)
            defer { waiting.kill9() }
            #expect(h.eventually(timeout: 30) { h.runningCommands(pool: "sims").count == 1 }, "the slow task starts")
            kill(waiting.pid, SIGINT)
            let interrupted = try waiting.wait(timeout: 20)
            results["interrupted"] = interrupted
            #expect(interrupted.status == 130, "\(interrupted.stdout)\(interrupted.stderr)")
            #expect(interrupted.stdout.contains("--state 'postgres://orbrec_pw:***@127.0.0.1:"), "\(interrupted.stdout)")

            // The machines, supervisors and commands orbrec started carry no password.
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = Int32(entry), [1, 2].contains(where: { fd in
                    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"))?.hasPrefix(h.dataDirectory + "/") == true
                }) else { continue }
                for file in ["cmdline", "environ"] {
                    let text = String(decoding: FileManager.default.contents(atPath: "/proc/\(pid)/\(file)") ?? Data(), as: UTF8.self)
                    #expect(!text.contains(Self.secret), "\(source): process \(pid)'s \(file) holds the password")
                }
            }
        }

        for (name, result) in results.sorted(by: { $0.key < $1.key }) {
            #expect(!result.stdout.contains(Self.secret), "\(source) \(name): the password on stdout")
            #expect(!result.stderr.contains(Self.secret), "\(source) \(name): the password on stderr")
        }
        #expect(!plan.contains(Self.secret), "\(source): the password in the saved plan")
        // Everything orbrec wrote under the test's directory: outputs, plans, logs, task outputs.
        #expect(!h.everythingWritten().contains(Self.secret), "\(source): the password in a file orbrec wrote")
    }

    /// libpq looks for `~/.pgpass` in `$HOME` first (psql 15 here finds it there), and so does
    /// orbrec (Foundation's home directory on Linux is the password database's, whatever HOME says).
    @Test func aPgpassInHomeIsFoundWhereLibpqFindsIt() throws {
        let h = try Harness(backend: .postgres)
        try h.writeFleet(count: 0)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-home-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let state = try Self.passwordURL(schema: try #require(h.schema))
        _ = try Self.writePgpass(in: home, for: state)
        let result = try h.run(["status", "-c", h.config, "--state", state], environment: ["HOME": home, "PGPASSWORD": "", "PGPASSFILE": ""],
                               timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains(Self.secret) && !result.stdout.contains(Self.secret))
    }

    /// A server that answers with a refusal (a wrong password, a certificate no CA here signed)
    /// is named with the refusal, at once, not after retries end in a timeout.
    @Test func aRefusingServerIsNamedWithoutThePassword() throws {
        let h = try Harness(backend: .postgres)
        try h.writeFleet(count: 0)
        let schema = try #require(h.schema)
        let ca = ProcessInfo.processInfo.environment["ORBREC_TEST_POSTGRES_WRONG_CA"] ?? "/nonexistent"
        let cases = [
            ("a wrong password", try Self.passwordURL(schema: schema, password: "wrong-" + Self.secret), "password authentication failed"),
            ("a certificate from another CA", try Self.passwordURL(schema: schema, password: Self.secret) + "&sslmode=verify-full&sslrootcert=\(ca)",
             "certificate"),
        ]
        for (name, state, cause) in cases {
            let started = Date()
            let result = try h.run(["status", "-c", h.config, "--state", state], environment: ["PGPASSWORD": "", "PGPASSFILE": ""], timeout: 60)
            #expect(result.status == 1, "\(name): \(result.stdout)\(result.stderr)")
            #expect(Date().timeIntervalSince(started) < 5, "\(name): the refusal ends the command at once")
            #expect(result.stderr.contains("cannot open the state at postgres://orbrec_pw:***@"), "\(name): \(result.stderr)")
            #expect(!result.stderr.contains(Self.secret) && !result.stdout.contains(Self.secret), "\(name): the password shows")
            #expect(result.stderr.contains(cause), "\(name): \(result.stderr)")
        }
    }

    // MARK: Bad URLs and unreachable servers

    @Test(arguments: [
        ("mysql://x", "unsupported state URL scheme 'mysql'"),
        ("postgres://h/db?bogus=1", "unknown state URL parameter 'bogus'"),
        ("postgres://u:pw-test-secret@h/db?bogus=1", "unknown state URL parameter 'bogus'"),
        ("postgres://h/db?sslmode=maybe", "unknown sslmode 'maybe'"),
        ("postgres://h/db?schema=Bad-Name", "the schema 'Bad-Name' is not a plain identifier"),
        ("postgresql://u:pw-test-secret@h:notaport/db", "the state URL's port is not a number"),
    ])
    func aBadStateURLIsRefusedAtOnce(_ url: String, _ message: String) throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        for command in [["status"], ["apply", "--auto-approve"], ["get", "machines", "-o", "json"], ["run", "--listen", "127.0.0.1:0"]] {
            let started = Date()
            let result = try h.run(command + ["-c", h.config, "--state", url], timeout: 30)
            #expect(result.status == 1, "\(url) \(command): \(result.stdout)\(result.stderr)")
            #expect(result.stderr.hasPrefix("error: --state: ") && result.stderr.contains(message), "\(url) \(command): \(result.stderr)")
            #expect(!result.stderr.contains("pw-test-secret") && !result.stdout.contains("pw-test-secret"), "\(url) \(command)")
            #expect(Date().timeIntervalSince(started) < 5, "\(url) \(command): refused before any connection")
        }
        #expect(!FileManager.default.fileExists(atPath: h.config + "/.orbrec"), "nothing was written")
    }

    @Test func anUnreachableServerFailsWithinFifteenSeconds() throws {
        let h = try Harness()
        try h.writeFleet(count: 1)
        let port = Self.closedPort()
        let state = "postgres://postgres:\(Self.secret)@127.0.0.1:\(port)/orbrec_test?schema=nowhere"
        for command in [["apply", "--auto-approve"], ["run", "--listen", "127.0.0.1:0"]] {
            let started = Date()
            let result = try h.run(command + ["-c", h.config, "--state", state], timeout: 60)
            let elapsed = Date().timeIntervalSince(started)
            #expect(result.status == 1, "\(command): \(result.stdout)\(result.stderr)")
            #expect(elapsed < 15, "\(command): \(elapsed) s")
            #expect(result.stderr.contains("cannot open the state at postgres://postgres:***@127.0.0.1:\(port)/orbrec_test?schema=nowhere"),
                    "\(command): \(result.stderr)")
            #expect(result.stderr.contains("PostgreSQL at 127.0.0.1:\(port) cannot be reached"), "\(command): \(result.stderr)")
            #expect(result.stderr.contains("Connection refused"), "\(command): the cause: \(result.stderr)")
            #expect(!result.stderr.contains(Self.secret), "\(command)")
        }
    }
}
