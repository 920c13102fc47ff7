import Testing
import OrbrecStore

@Suite("StateAddress: --state as a file path or a postgres:// URL")
struct StateAddressTests {
    static let environment = ["PGUSER": "pguser", "USER": "login", "LOGNAME": "logname"]

    struct NotPostgres: Error { let address: StateAddress }

    static func postgres(_ text: String, environment: [String: String] = environment) throws -> PostgresStateURL {
        let address = try StateAddress.parse(text, environment: environment)
        guard case .postgres(let url) = address else { throw NotPostgres(address: address) }
        return url
    }

    static func error(_ text: String, environment: [String: String] = environment) -> StateAddressError? {
        do {
            _ = try StateAddress.parse(text, environment: environment)
            return nil
        } catch {
            return error
        }
    }

    @Test("paths, relative or absolute or with '://' inside, stay files", arguments: [
        "state.sqlite", "./state.sqlite", "/var/lib/orbrec/state.sqlite", "~/state", "dir with space/s.db",
        "states/a://b.sqlite", "./postgres://host/db", "../x", "-", "1postgres://host/db", "my_scheme!://x",
    ])
    func pathsStayFiles(path: String) throws {
        #expect(try StateAddress.parse(path, environment: Self.environment) == .file(path))
        #expect(try StateAddress.parse(path, environment: Self.environment).redacted == path)
    }

    @Test("an empty location is an error")
    func emptyIsAnError() {
        #expect(Self.error("")?.message == "the state location is empty (give a file path or a postgres:// URL)")
    }

    @Test("'postgres:' without '//' is refused as a mistyped URL", arguments: ["postgres:host/db", "POSTGRESQL:/db", "postgres:"])
    func schemeWithoutSlashes(text: String) {
        let message = Self.error(text)?.message ?? ""
        #expect(message.contains("://host/database"))
        #expect(message.contains("./postgres"))
    }

    @Test("other schemes are errors that name the scheme", arguments: ["mysql", "http", "sqlite", "file", "Postgres+ssl"])
    func otherSchemes(scheme: String) {
        #expect(Self.error("\(scheme)://host/db")?.message == "unsupported state URL scheme '\(scheme)' (use a file path or postgres://…)")
    }

    @Test("both schemes, in any case", arguments: ["postgres", "postgresql", "POSTGRES", "PostgreSQL"])
    func bothSchemes(scheme: String) throws {
        let url = try Self.postgres("\(scheme)://alice:pw@db.example.com:6543/orders")
        #expect(url.user == "alice")
        #expect(url.password == "pw")
        #expect(url.host == "db.example.com")
        #expect(url.port == 6543)
        #expect(url.database == "orders")
        #expect(url.redacted == "postgres://alice:***@db.example.com:6543/orders")
    }

    @Test("every part and parameter")
    func everyPart() throws {
        let url = try Self.postgres(
            "postgres://alice:pw@db.example.com:6543/orders?sslmode=verify-full&sslrootcert=%2Fetc%2Fca%201.pem&schema=fleet_2&application_name=orbrec%20ci")
        #expect(url.sslMode == .verifyFull)
        #expect(url.sslRootCert == "/etc/ca 1.pem")
        #expect(url.schema == "fleet_2")
        #expect(url.applicationName == "orbrec ci")
    }

    @Test("defaults: port 5432, sslmode prefer, schema orbrec, no password, database named as the user")
    func defaults() throws {
        let url = try Self.postgres("postgres://bob@localhost")
        #expect(url == (try Self.postgres("postgres://bob@localhost:/?")))
        #expect(url.port == 5432)
        #expect(url.sslMode == .prefer)
        #expect(url.schema == "orbrec")
        #expect(url.password == nil)
        #expect(url.database == "bob")
        #expect(url.sslRootCert == nil)
        #expect(url.applicationName == nil)
        #expect(url.redacted == "postgres://bob@localhost:5432/bob")
    }

    @Test("the user defaults to PGUSER, then USER, then LOGNAME, then postgres; an empty variable counts as unset")
    func userFromEnvironment() throws {
        #expect(try Self.postgres("postgres://h/db").user == "pguser")
        #expect(try Self.postgres("postgres://h/db", environment: ["PGUSER": "", "USER": "login"]).user == "login")
        #expect(try Self.postgres("postgres://h/db", environment: ["LOGNAME": "logname"]).user == "logname")
        #expect(try Self.postgres("postgres://h/db", environment: [:]).user == "postgres")
        #expect(try Self.postgres("postgres://:pw@h", environment: ["USER": "login"]).database == "login")
        #expect(try Self.postgres("postgres://@h/db").user == "pguser")
    }

    @Test("IPv6 literals in brackets, with or without a port, keep no brackets")
    func ipv6() throws {
        let withPort = try Self.postgres("postgres://u@[::1]:6543/db")
        #expect(withPort.host == "::1")
        #expect(withPort.port == 6543)
        #expect(withPort.redacted == "postgres://u@[::1]:6543/db")
        let bare = try Self.postgres("postgres://u@[2001:db8::10]/db")
        #expect(bare.host == "2001:db8::10")
        #expect(bare.port == 5432)
        let zoned = try Self.postgres("postgres://u@[fe80::1%25eth0]:5433/db")
        #expect(zoned.host == "fe80::1%eth0")
        #expect(zoned.redacted == "postgres://u@[fe80::1%25eth0]:5433/db")
    }

    @Test("percent-encoded user, password and database are decoded; a raw '@' in the password still works")
    func percentDecoding() throws {
        let url = try Self.postgres("postgres://ali%40ce:p%40ss%3Aw%2Frd%3F@h/my%20db")
        #expect(url.user == "ali@ce")
        #expect(url.password == "p@ss:w/rd?")
        #expect(url.database == "my db")
        #expect(url.redacted == "postgres://ali%40ce:***@h:5432/my%20db")
        #expect(try Self.postgres("postgres://u:p@ss:word@h/db").password == "p@ss:word")
        #expect(try Self.postgres("postgres://u:a+b@h/db").password == "a+b")
        #expect(try Self.postgres("postgres://u:%C3%A9t%C3%A9@h/db").password == "été")
    }

    @Test("an empty password is none, as libpq keeps it", arguments: ["postgres://u:@h/db", "postgres://u@h/db"])
    func emptyPassword(text: String) throws {
        let url = try Self.postgres(text)
        #expect(url.password == nil)
        #expect(url.redacted == "postgres://u@h:5432/db")
    }

    @Test("every sslmode", arguments: PostgresStateURL.SSLMode.allCases)
    func everySSLMode(mode: PostgresStateURL.SSLMode) throws {
        let url = try Self.postgres("postgres://u@h/db?sslmode=\(mode.rawValue)")
        #expect(url.sslMode == mode)
        #expect(url.redacted == (mode == .prefer ? "postgres://u@h:5432/db" : "postgres://u@h:5432/db?sslmode=\(mode.rawValue)"))
    }

    @Test("sslmode names are libpq's, spelt exactly")
    func sslModeNames() {
        #expect(PostgresStateURL.SSLMode.allCases.map(\.rawValue) == ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"])
        #expect(Self.error("postgres://u@h/db?sslmode=REQUIRE")?.message
            == "unknown sslmode 'REQUIRE' (use disable, allow, prefer, require, verify-ca, verify-full)")
        #expect(Self.error("postgres://u@h/db?sslmode=")?.message.contains("unknown sslmode ''") == true)
    }

    @Test("an unknown parameter is an error that names it", arguments: ["ssl_mode", "host", "password", "dbname", "sslMode", "connect_timeout"])
    func unknownParameter(name: String) {
        #expect(Self.error("postgres://u@h/db?sslmode=require&\(name)=x")?.message
            == "unknown state URL parameter '\(name)' (known: sslmode, sslrootcert, schema, application_name)")
    }

    @Test("a parameter without a value, or given twice, is an error")
    func malformedParameters() {
        #expect(Self.error("postgres://u@h/db?sslmode")?.message == "the state URL parameter 'sslmode' has no value (write sslmode=value)")
        #expect(Self.error("postgres://u@h/db?schema=a&schema=b")?.message == "the state URL parameter 'schema' is given more than once")
        #expect(Self.error("postgres://u@h/db?&&sslmode=require&") == nil)
    }

    @Test("plain schema names are taken", arguments: ["orbrec", "_x", "a", "fleet_2", String(repeating: "s", count: 49), "public"])
    func goodSchemas(name: String) throws {
        #expect(try Self.postgres("postgres://u@h/db?schema=\(name)").schema == name)
    }

    @Test("a schema that is not a plain identifier is an error", arguments: [
        "Orbrec", "1abc", "a-b", "", String(repeating: "s", count: 50), "%C3%A9t%C3%A9", "a%20b", "x;drop%20table%20t", "%22x%22",
    ])
    func badSchemas(name: String) {
        #expect(Self.error("postgres://u@h/db?schema=\(name)")?.message.contains("is not a plain identifier") == true)
    }

    @Test("a schema beginning with pg_ is PostgreSQL's", arguments: ["pg_catalog", "pg_orbrec"])
    func reservedSchemas(name: String) {
        #expect(Self.error("postgres://u@h/db?schema=\(name)")?.message == "the schema '\(name)' begins with 'pg_', which PostgreSQL keeps for its own schemas")
    }

    @Test("ports from 1 to 65535 are taken; an empty port is the default", arguments: [("1", 1), ("65535", 65535), ("05432", 5432), ("", 5432)])
    func goodPorts(text: String, port: Int) throws {
        #expect(try Self.postgres("postgres://u@h:\(text)/db").port == port)
    }

    @Test("a port that is not a number from 1 to 65535 is an error", arguments: [
        "0", "65536", "-1", "+5432", "abc", "54x", "99999999999999999999999", "٥٤٣٢",
    ])
    func badPorts(text: String) {
        #expect(Self.error("postgres://u@h:\(text)/db")?.message == "the state URL's port is not a number from 1 to 65535")
    }

    @Test("no host is an error that says TCP is needed", arguments: [
        "postgres:///db", "postgres://u:pw@/db", "postgres://:5432/db", "postgres://", "postgres://?sslmode=require", "postgres://[]/db",
    ])
    func missingHost(text: String) {
        let message = Self.error(text)?.message ?? ""
        #expect(message.contains("names no host"))
        #expect(message.contains("TCP"))
    }

    @Test("a socket directory as host, several hosts, and broken brackets are errors")
    func unusableHosts() {
        #expect(Self.error("postgres://%2Fvar%2Frun%2Fpostgresql/db")?.message.contains("socket directory") == true)
        #expect(Self.error("postgres://h1:5432,h2:5432/db")?.message.contains("several hosts") == true)
        #expect(Self.error("postgres://u@[::1/db")?.message.contains("does not close it") == true)
        #expect(Self.error("postgres://u@[::1]5432/db")?.message.contains("that is not ':port'") == true)
        #expect(Self.error("postgres://u@h/d%zz")?.message.contains("database name") == true)
    }

    @Test("redacted writes defaults filled in, only non-default parameters, in a fixed order")
    func redactedOrder() throws {
        let one = try Self.postgres("postgres://u:pw@h/db?application_name=ci&schema=s&sslrootcert=/ca.pem&sslmode=require")
        let other = try Self.postgres("postgresql://u:pw@h:5432/db?sslmode=require&sslrootcert=/ca.pem&application_name=ci&schema=s")
        #expect(one.redacted == "postgres://u:***@h:5432/db?sslmode=require&sslrootcert=/ca.pem&schema=s&application_name=ci")
        #expect(other.redacted == one.redacted)
        #expect(try Self.postgres("postgres://u@h/db?sslmode=prefer&schema=orbrec").redacted == "postgres://u@h:5432/db")
        #expect(try Self.postgres("postgres://u@h/db?application_name=a%26b%3Dc").redacted == "postgres://u@h:5432/db?application_name=a%26b%3Dc")
    }

    @Test("redacted parses back to the same location, with '***' as its password", arguments: [
        "postgres://alice:s3cret@db.example.com:6543/orders?sslmode=verify-ca&sslrootcert=%2Fetc%2Fca%201.pem&schema=s&application_name=a%26b",
        "postgres://ali%40ce@[fe80::1%25eth0]/my%20db",
        "postgres://h",
    ])
    func redactedRoundTrip(text: String) throws {
        let url = try Self.postgres(text)
        let again = try Self.postgres(url.redacted)
        #expect(again.password == url.password.map { _ in "***" })
        #expect(again.redacted == url.redacted)
        #expect([again.user, again.host, again.database, again.schema] == [url.user, url.host, url.database, url.schema])
        #expect(again.port == url.port && again.sslMode == url.sslMode)
        #expect(again.sslRootCert == url.sslRootCert && again.applicationName == url.applicationName)
    }

    @Test("description, interpolation, reflection and dump never show the password")
    func noPasswordInText() throws {
        let address = try StateAddress.parse("postgres://u:S3cr3tPw@h/db?sslmode=require", environment: Self.environment)
        guard case .postgres(let url) = address else { Issue.record("not postgres"); return }
        #expect(url.password == "S3cr3tPw")
        var dumped = ""
        dump(address, to: &dumped)
        for text in ["\(address)", "\(url)", address.description, url.description, String(reflecting: address), String(reflecting: url), dumped] {
            #expect(!text.contains("S3cr3tPw"), "\(text)")
            #expect(text.contains("***"), "\(text)")
        }
        #expect("\(address)" == "postgres://u:***@h:5432/db?sslmode=require")
    }

    static let password = "S3cr3tPw"

    @Test("no error shows the password", arguments: [
        "mysql://u:\(password)@h/db",
        "postgres:u:\(password)@h/db",
        "postgres://u:\(password)@/db",
        "postgres://u:\(password)@h:99999/db",
        "postgres://u:\(password)@h:abc/db",
        "postgres://u:\(password)@h/db?sslmode=bogus",
        "postgres://u:\(password)@h/db?schema=Bad",
        "postgres://u:\(password)@h/db?schema=pg_x",
        "postgres://u:\(password)@h/db?nope=1",
        "postgres://u:\(password)@h/db?sslmode",
        "postgres://u:\(password)@h/db?sslmode=require&sslmode=disable",
        "postgres://u:\(password)@h1,h2/db",
        "postgres://u:\(password)@[::1/db",
        "postgres://u:\(password)@[::1]x/db",
        "postgres://u:\(password)@%2Ftmp/db",
        "postgres://u:\(password)@h/%zz",
        "postgres://u:\(password)%zz@h/db",
        "postgres://u:\(password)@h/db?schema=%zz",
        // A raw '/' in the password cuts the URL there: what is left of the password lands in
        // the port, which the error must not echo either.
        "postgres://u:\(password)/x@h/db",
        "postgres://u:\(password)?x@h/db",
    ])
    func noPasswordInErrors(text: String) throws {
        let error = try #require(Self.error(text))
        for shown in [error.message, error.description, "\(error)", String(reflecting: error)] {
            #expect(!shown.contains(Self.password), "\(shown)")
            #expect(!shown.contains("S3cr"), "\(shown)")
        }
    }
}
