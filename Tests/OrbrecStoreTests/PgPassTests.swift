import Foundation
import Testing
import OrbrecStore

@Suite("PgPass: the password file and where a state URL's password comes from, as libpq")
struct PgPassTests {
    static func write(_ contents: String, to path: String, mode: Int) throws {
        #expect(FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    static func url(_ text: String) throws -> PostgresStateURL {
        try PostgresStateURL(parsing: text, environment: ["USER": "login"])
    }

    @Test("exact fields match, and the first matching line wins")
    func firstMatchWins() {
        let file = PgPassFile(contents: """
            db.example.com:5432:orders:alice:first
            db.example.com:5432:orders:alice:second
            db.example.com:5433:orders:alice:other-port
            """)
        #expect(file.password(host: "db.example.com", port: 5432, database: "orders", user: "alice") == "first")
        #expect(file.password(host: "db.example.com", port: 5433, database: "orders", user: "alice") == "other-port")
        #expect(file.password(host: "DB.example.com", port: 5432, database: "orders", user: "alice") == nil)
        #expect(file.password(host: "db.example.com", port: 5432, database: "orders", user: "bob") == nil)
    }

    @Test("'*' alone matches anything in the first four fields; '\\*' is a star")
    func wildcards() {
        let file = PgPassFile(contents: """
            \\*:*:*:alice:star-host
            *:*:*:alice:any-host
            *:6543:*:*:any-user-on-6543
            """)
        #expect(file.password(host: "*", port: 1, database: "x", user: "alice") == "star-host")
        #expect(file.password(host: "h", port: 1, database: "x", user: "alice") == "any-host")
        #expect(file.password(host: "h", port: 6543, database: "x", user: "bob") == "any-user-on-6543")
        #expect(file.password(host: "h", port: 5432, database: "x", user: "bob") == nil)
        #expect(PgPassFile(contents: "h*:*:*:*:pw").password(host: "hx", port: 1, database: "d", user: "u") == nil)
    }

    @Test("'\\:' and '\\\\' escapes in fields and in the password; the password ends at an unescaped ':'")
    func escapes() {
        let file = PgPassFile(contents: """
            \\:\\:1:5432:d:u:v6
            h:5432:d\\\\x:u:back\\\\slash\\:colon:ignored-field
            """)
        #expect(file.password(host: "::1", port: 5432, database: "d", user: "u") == "v6")
        #expect(file.password(host: "h", port: 5432, database: "d\\x", user: "u") == "back\\slash:colon")
    }

    @Test("comments, blank lines, CRLF line ends, and lines too short to match")
    func commentsAndShortLines() {
        let file = PgPassFile(contents: "# h:5432:d:u:commented\r\n\r\n\n h:5432:d:u:leading-space\r\nh:5432:d:u\r\nh:5432:d:u:crlf\r\n")
        #expect(file.password(host: "h", port: 5432, database: "d", user: "u") == "crlf")
        #expect(file.password(host: " h", port: 5432, database: "d", user: "u") == "leading-space")
        #expect(file.entries.count == 2)
    }

    @Test("a matching line with an empty password ends the search")
    func emptyPasswordEndsSearch() {
        let file = PgPassFile(contents: "h:5432:d:u:\nh:5432:d:u:later\n")
        #expect(file.password(host: "h", port: 5432, database: "d", user: "u") == "")
    }

    @Test("fields compare byte for byte, as libpq's, not as equal Unicode")
    func byteComparison() {
        let file = PgPassFile(contents: "h:5432:d:jos\u{E9}:composed\n")
        #expect(file.password(host: "h", port: 5432, database: "d", user: "jos\u{E9}") == "composed")
        #expect(file.password(host: "h", port: 5432, database: "d", user: "jose\u{301}") == nil)
    }

    @Test("a 0600 file is read; a missing one is absent")
    func readsPrivateFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("pgpass")
        #expect(PgPassFile.read(at: path) == .absent)
        try Self.write("h:5432:d:u:pw\n", to: path, mode: 0o600)
        #expect(PgPassFile.read(at: path) == .read(PgPassFile(contents: "h:5432:d:u:pw")))
        let link = directory.file("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        #expect(PgPassFile.read(at: link) == .read(PgPassFile(contents: "h:5432:d:u:pw")))
    }

    @Test("a file with group or world access is ignored with libpq's warning", arguments: [0o644, 0o640, 0o604, 0o610, 0o601])
    func ignoresSharedFile(mode: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("pgpass")
        try Self.write("h:5432:d:u:S3cr3tPw\n", to: path, mode: mode)
        #expect(PgPassFile.read(at: path)
            == .ignored(warning: "password file \"\(path)\" has group or world access; permissions should be u=rw (0600) or less"))
    }

    @Test("a directory is not a plain file")
    func ignoresDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(PgPassFile.read(at: directory.path) == .ignored(warning: "password file \"\(directory.path)\" is not a plain file"))
    }

    @Test("the URL's password comes before PGPASSWORD, which comes before the file")
    func precedence() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.write("*:*:*:*:from-file\n", to: directory.file(".pgpass"), mode: 0o600)
        let home = directory.path

        let inURL = try Self.url("postgres://u:from-url@h/d").resolvingPassword(environment: ["PGPASSWORD": "from-env"], home: home)
        #expect(inURL.url.password == "from-url")
        #expect(inURL.source == .url)

        let bare = try Self.url("postgres://u@h/d")
        let fromEnvironment = bare.resolvingPassword(environment: ["PGPASSWORD": "from-env"], home: home)
        #expect(fromEnvironment.url.password == "from-env")
        #expect(fromEnvironment.source == .environment)

        for environment in [[:], ["PGPASSWORD": ""]] {
            let fromFile = bare.resolvingPassword(environment: environment, home: home)
            #expect(fromFile.url.password == "from-file")
            #expect(fromFile.source == .passwordFile(directory.file(".pgpass")))
            #expect(fromFile.warning == nil)
            #expect(!fromFile.url.redacted.contains("from-file"))
        }

        let emptyInURL = try Self.url("postgres://u:@h/d").resolvingPassword(environment: ["PGPASSWORD": "from-env"], home: home)
        #expect(emptyInURL.url.password == "from-env")
    }

    @Test("PGPASSFILE replaces home/.pgpass; an empty one does not")
    func passwordFileVariable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.write("*:*:*:*:from-home\n", to: directory.file(".pgpass"), mode: 0o600)
        try Self.write("*:*:*:*:from-variable\n", to: directory.file("elsewhere"), mode: 0o600)
        let url = try Self.url("postgres://u@h/d")
        #expect(url.resolvingPassword(environment: ["PGPASSFILE": directory.file("elsewhere")], home: directory.path).url.password == "from-variable")
        #expect(url.resolvingPassword(environment: ["PGPASSFILE": ""], home: directory.path + "/").url.password == "from-home")
        let nowhere = url.resolvingPassword(environment: [:], home: nil)
        #expect(nowhere.url == url)
        #expect(nowhere.source == .none)
        #expect(nowhere.warning == nil)
    }

    @Test("the file is matched on the URL's host without brackets, its port, and the defaulted user and database")
    func matchesResolvedFields() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Self.write("""
            \\:\\:1:5432:login:login:v6-defaults
            db:6543:orders:alice:named
            """, to: directory.file(".pgpass"), mode: 0o600)
        let v6 = try Self.url("postgres://[::1]").resolvingPassword(environment: [:], home: directory.path)
        #expect(v6.url.password == "v6-defaults")
        let named = try Self.url("postgres://alice@db:6543/orders").resolvingPassword(environment: [:], home: directory.path)
        #expect(named.url.password == "named")
        let unmatched = try Self.url("postgres://alice@db/orders").resolvingPassword(environment: [:], home: directory.path)
        #expect(unmatched.url.password == nil)
        #expect(unmatched.source == .none)
    }

    @Test("a shared file gives no password and a warning without it")
    func sharedFileWarns() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file(".pgpass")
        try Self.write("*:*:*:*:S3cr3tPw\n", to: path, mode: 0o644)
        let resolution = try Self.url("postgres://u@h/d").resolvingPassword(environment: [:], home: directory.path)
        #expect(resolution.url.password == nil)
        #expect(resolution.source == .none)
        let warning = try #require(resolution.warning)
        #expect(warning.contains(path))
        #expect(!warning.contains("S3cr3tPw"))
    }
}
