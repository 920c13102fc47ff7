import Foundation
import Testing
import OrbrecStore
import OrbrecStorePostgres
import OrbrecTestSupport

/// A state in PostgreSQL, against the test server: the schema it is given, opening it from
/// several processes at once, logging in, TLS, and a server that does not answer. The
/// counterparts of StateFileTests' tests about the SQLite file.
@Suite struct PostgresStateTests {
    static func open(_ location: String, create: Bool = true) async throws -> StateStore? {
        try await StateStores.open(try StateAddress.parse(location), create: create)
    }

    /// What `body` threw, or nil; for errors whose type the test checks separately.
    static func failure(_ body: () async throws -> StateStore?) async -> (any Error)? {
        do {
            let store = try await body()
            await store?.close()
            return nil
        } catch {
            return error
        }
    }

    @Test func aSchemaHoldingOtherTablesIsRefusedAndLeftAlone() async throws {
        let schema = TestPostgres.freshSchema()
        try TestPostgres.psql("CREATE SCHEMA \(schema); CREATE TABLE \(schema).foo (a int)")
        let location = try TestPostgres.url(["schema": schema])

        for create in [true, false] {
            let error = await Self.failure { try await Self.open(location, create: create) }
            let refused = try #require(error as? StateFileRefused, "create: \(create): \(String(describing: error))")
            #expect(refused.description.contains("state schema"))
            #expect(refused.description.contains(schema))
            #expect(refused.description.contains("foo"), "names what it found")
        }
        #expect(try TestPostgres.tables(in: schema) == ["foo"], "nothing was created beside it")
    }

    @Test func openingWithoutCreateFindsNoStateAndCreatesNothing() async throws {
        let missing = TestPostgres.freshSchema()
        #expect(try await Self.open(try TestPostgres.url(["schema": missing]), create: false) == nil)
        #expect(try !TestPostgres.schemaExists(missing), "no schema is created")

        // An existing empty schema holds no state either, and is left empty; unlike an
        // empty file it is a fine place for a new one.
        let empty = TestPostgres.freshSchema()
        try TestPostgres.psql("CREATE SCHEMA \(empty)")
        let location = try TestPostgres.url(["schema": empty])
        #expect(try await Self.open(location, create: false) == nil)
        #expect(try TestPostgres.tables(in: empty).isEmpty)

        let created = try #require(try await Self.open(location))
        await created.close()
        let existing = try #require(try await Self.open(location, create: false))
        #expect(existing.stateID == created.stateID)
        await existing.close()
    }

    /// A process killed while making the state leaves some migrations applied, each whole:
    /// the next open carries on from there.
    @Test func whatAnInterruptedCreationLeftInASchemaDoesNotStopTheNextOne() async throws {
        let schema = TestPostgres.freshSchema()
        try TestPostgres.psql("""
            CREATE SCHEMA \(schema);
            CREATE TABLE \(schema).orbrec_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
            """)
        let location = try TestPostgres.url(["schema": schema])
        let store = try #require(try await Self.open(location))
        #expect(store.stateID.hasPrefix("st-"))
        try await store.recordIntent([Journal.action("act-1")])
        await store.close()
        let reopened = try #require(try await Self.open(location, create: false))
        #expect(reopened.stateID == store.stateID)
        #expect(try await reopened.action(id: "act-1")?.state == .planned)
        await reopened.close()
    }

    /// The CLI and daemons on several machines may all open a state that does not exist yet:
    /// all get the same one, none fails.
    @Test func openingANewSchemaFromSeveralStoresAtOnceGivesOneState() async throws {
        for _ in 0..<5 {
            let schema = TestPostgres.freshSchema()
            let location = try TestPostgres.url(["schema": schema])
            let outcomes = await withTaskGroup(of: Result<String, any Error>.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do {
                            let store = try await openStore(at: location)
                            await store.close()
                            return .success(store.stateID)
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let failures = outcomes.compactMap { outcome -> String? in
                if case .failure(let error) = outcome { return "\(error)" }
                return nil
            }
            #expect(failures.isEmpty, "opening failed: \(failures)")
            let ids = Set(outcomes.compactMap { try? $0.get() })
            #expect(ids.count == 1, "openers of one schema got different state ids: \(ids)")
            let stored = try TestPostgres.psql("SELECT value FROM \(schema).meta WHERE key = 'state_id'")
            #expect(Set(stored) == ids)
        }
    }

    // MARK: Logging in

    @Test func aPasswordInTheURLLogsIn() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["ORBREC_TEST_POSTGRES_PASSWORD_URL"])
        let password = try #require(ProcessInfo.processInfo.environment["ORBREC_TEST_POSTGRES_PASSWORD"])
        let schema = TestPostgres.freshSchema()
        let withPassword = url.replacingOccurrences(of: "://orbrec_pw@", with: "://orbrec_pw:\(password)@") + "?schema=\(schema)"
        let store = try #require(try await Self.open(withPassword))
        #expect(!store.path.contains(password), "the store's path is redacted")
        #expect(store.path.contains("orbrec_pw:***@"))
        try await store.recordIntent([Journal.action("act-1")])
        await store.close()
    }

    @Test func withoutItsPasswordTheLoginFailsWithoutShowingIt() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["ORBREC_TEST_POSTGRES_PASSWORD_URL"])
        let password = try #require(ProcessInfo.processInfo.environment["ORBREC_TEST_POSTGRES_PASSWORD"])
        let noPassword = url + "?schema=\(TestPostgres.freshSchema())"
        guard case .postgres(let parsed) = try StateAddress.parse(noPassword) else { Issue.record("not a URL"); return }
        try #require(parsed.resolvingPassword().source == .none,
                     "PGPASSWORD or a .pgpass of this user supplies a password: this test needs neither")

        let wrong = url.replacingOccurrences(of: "://orbrec_pw@", with: "://orbrec_pw:not-\(password)@") + "?schema=\(TestPostgres.freshSchema())"
        for (location, secret) in [(noPassword, password), (wrong, "not-\(password)")] {
            let started = ContinuousClock.now
            let error = await Self.failure { try await Self.open(location) }
            let unavailable = try #require(error as? StateUnavailable, "\(String(describing: error))")
            #expect(ContinuousClock.now - started < .seconds(5), "a refused login is answered at once")
            for text in [unavailable.description, String(describing: error), String(reflecting: error)] {
                #expect(!text.contains(secret))
                #expect(!text.contains(password))
            }
            #expect(unavailable.description.contains("127.0.0.1"), "says where: \(unavailable.description)")
            #expect(unavailable.description.lowercased().contains("password"), "says why: \(unavailable.description)")
        }
    }

    // MARK: TLS

    /// Whether the connections of the store that named itself `application` are encrypted, as
    /// the server sees them (one answer per connection it holds).
    static func encrypted(_ application: String) throws -> [Bool] {
        try TestPostgres.psql("""
            SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = '\(application)'
            """).map { $0 == "t" }
    }

    /// An sslmode, the root certificate it is given (the name of the variable holding its
    /// path), and whether its connections must be encrypted.
    struct TLSCase: Sendable, CustomTestStringConvertible {
        var mode: String
        var rootCert: String?
        var encrypted: Bool
        var testDescription: String { "sslmode=\(mode)" + (rootCert.map { " sslrootcert=$\($0)" } ?? "") }
    }

    @Test(arguments: [
        TLSCase(mode: "verify-full", rootCert: "ORBREC_TEST_POSTGRES_CA", encrypted: true),
        TLSCase(mode: "verify-ca", rootCert: "ORBREC_TEST_POSTGRES_CA", encrypted: true),
        TLSCase(mode: "require", rootCert: nil, encrypted: true),
        TLSCase(mode: "prefer", rootCert: nil, encrypted: true),
        TLSCase(mode: "disable", rootCert: nil, encrypted: false),
    ])
    func sslModesConnect(_ tls: TLSCase) async throws {
        let application = "orbrec-tls-\(TestPostgres.freshSchema())"
        var parameters = ["schema": TestPostgres.freshSchema(), "sslmode": tls.mode, "application_name": application]
        if let rootCert = tls.rootCert {
            let path = try #require(ProcessInfo.processInfo.environment[rootCert], "\(rootCert) is not set")
            parameters["sslrootcert"] = path
        }
        let store = try #require(try await Self.open(try TestPostgres.url(parameters)))
        try await store.recordIntent([Journal.action("act-1")])
        let seen = try Self.encrypted(application)
        #expect(!seen.isEmpty, "the pool keeps its connection")
        #expect(seen.allSatisfy { $0 == tls.encrypted }, "\(tls.testDescription): \(seen)")
        await store.close()
    }

    @Test func verifyFullWithAnotherCAIsRefusedClearly() async throws {
        let wrongCA = try #require(ProcessInfo.processInfo.environment["ORBREC_TEST_POSTGRES_WRONG_CA"])
        let location = try TestPostgres.url(["schema": TestPostgres.freshSchema(), "sslmode": "verify-full", "sslrootcert": wrongCA])
        let started = ContinuousClock.now
        let error = await Self.failure { try await Self.open(location) }
        let unavailable = try #require(error as? StateUnavailable, "\(String(describing: error))")
        #expect(ContinuousClock.now - started < .seconds(5), "a refused certificate is answered at once")
        #expect(unavailable.description.lowercased().contains("certificate"), "says why: \(unavailable.description)")
    }

    @Test func aMissingRootCertificateIsNamed() async throws {
        let location = try TestPostgres.url(["schema": TestPostgres.freshSchema(), "sslmode": "verify-full",
                                             "sslrootcert": "/nonexistent/orbrec-test-ca.crt"])
        let error = await Self.failure { try await Self.open(location) }
        let unavailable = try #require(error as? StateUnavailable, "\(String(describing: error))")
        #expect(unavailable.description.contains("sslrootcert=/nonexistent/orbrec-test-ca.crt"), "\(unavailable.description)")
    }

    // MARK: A server that does not answer

    @Test func aClosedPortFailsAtOnceAsUnavailable() async throws {
        let port = try ClosedPort.find()
        let location = "postgres://postgres@127.0.0.1:\(port)/orbrec_test?schema=\(TestPostgres.freshSchema())"
        let started = ContinuousClock.now
        let error = await Self.failure { try await Self.open(location) }
        let elapsed = ContinuousClock.now - started
        let unavailable = try #require(error as? StateUnavailable, "\(String(describing: error))")
        #expect(elapsed < .seconds(5), "a refused connection is answered at once, not after the connect timeout: \(elapsed)")
        #expect(unavailable.description.lowercased().contains("refused"), "says why: \(unavailable.description)")
        #expect(unavailable.description.contains("127.0.0.1:\(port)"), "says where: \(unavailable.description)")
    }

    /// A server that takes the connection and never answers is given up on after the
    /// connect timeout: the open ends, it does not hang.
    @Test func aSilentServerIsGivenUpOnAfterTheConnectTimeout() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let address = try StateAddress.parse("postgres://postgres@127.0.0.1:\(listener.port)/orbrec_test?schema=t_silent")
        guard case .postgres(let url) = address else { Issue.record("not a URL"); return }
        let started = ContinuousClock.now
        var caught: (any Error)?
        do {
            let backend = try await PostgresBackend.open(url, create: true, connectTimeout: .seconds(2))
            await backend?.close()
        } catch {
            caught = error
        }
        let elapsed = ContinuousClock.now - started
        let unavailable = try #require(caught as? StateUnavailable, "\(String(describing: caught))")
        #expect(elapsed < .seconds(5), "given up after 2 s: \(elapsed)")
        #expect(unavailable.description.contains("127.0.0.1:\(listener.port)"), "says where: \(unavailable.description)")
    }
}
