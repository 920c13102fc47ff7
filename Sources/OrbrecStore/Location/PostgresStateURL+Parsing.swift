internal import Foundation

extension PostgresStateURL {
    /// Reads the user's default (`PGUSER`, then the login name) from this process's environment.
    public init(parsing text: String) throws(StateAddressError) {
        try self.init(parsing: text, environment: ProcessInfo.processInfo.environment)
    }

    /// libpq's URI form, narrowed to what a state needs: one TCP host, and only the parameters
    /// orbrec reads, so a misspelt one is an error rather than silently ignored.
    ///
    /// The user information ends at the last '@' before the path, so a password with a raw '@'
    /// still reads as the user meant; a raw '/' or '?' in it must be percent-encoded.
    public init(parsing text: String, environment: [String: String]) throws(StateAddressError) {
        guard let separator = text.firstRange(of: "://") else { throw .notAURL }
        let scheme = text[..<separator.lowerBound]
        guard Self.schemes.contains(scheme.lowercased()) else { throw .unsupportedScheme(String(scheme)) }
        let rest = text[separator.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let pathAndQuery = rest[authorityEnd...]

        var user = ""
        var password: String?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            let colon = userInfo.firstIndex(of: ":") ?? userInfo.endIndex
            guard let decodedUser = PercentCoding.decode(userInfo[..<colon]) else { throw .badEncoding("user name") }
            user = decodedUser
            if colon < userInfo.endIndex {
                guard let decoded = PercentCoding.decode(userInfo[userInfo.index(after: colon)...]) else { throw .badEncoding("password") }
                // libpq keeps no empty password, so PGPASSWORD and .pgpass are still asked.
                password = decoded.isEmpty ? nil : decoded
            }
        }
        let (host, port) = try Self.hostAndPort(authority)

        let queryStart = pathAndQuery.firstIndex(of: "?") ?? pathAndQuery.endIndex
        guard let database = PercentCoding.decode(pathAndQuery[..<queryStart].dropFirst())
        else { throw .badEncoding("database name") }
        let parameters = try Self.parameters(pathAndQuery[queryStart...].dropFirst())

        if user.isEmpty { user = Self.defaultUser(environment) }
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database.isEmpty ? user : database
        self.sslMode = .prefer
        self.schema = Self.defaultSchema
        for (parameter, value) in parameters {
            switch parameter {
            case .sslmode:
                guard let mode = SSLMode(rawValue: value) else { throw .badSSLMode(value) }
                sslMode = mode
            case .sslrootcert: sslRootCert = value
            case .schema: schema = try Self.checkedSchema(value)
            case .applicationName: applicationName = value
            }
        }
    }

    private static func hostAndPort(_ authority: Substring) throws(StateAddressError) -> (String, Int) {
        guard !authority.contains(",") else { throw .severalHosts }
        let rawHost: Substring
        let rawPort: Substring
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw .unclosedBracket }
            rawHost = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.first == ":" else { throw .afterBracket }
            rawPort = after.dropFirst()
        } else {
            let colon = authority.firstIndex(of: ":") ?? authority.endIndex
            rawHost = authority[..<colon]
            rawPort = authority[colon...].dropFirst()
        }
        guard let host = PercentCoding.decode(rawHost) else { throw .badEncoding("host") }
        guard !host.isEmpty else { throw .missingHost }
        // libpq reads a host beginning with '/' (or '@', Linux's abstract namespace) as a socket.
        guard host.first != "/", host.first != "@" else { throw .socketHost }
        return (host, try port(rawPort))
    }

    private static func port(_ text: Substring) throws(StateAddressError) -> Int {
        if text.isEmpty { return defaultPort }
        guard text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isWholeNumber }), let port = Int(text), (1...65_535).contains(port)
        else { throw .badPort }
        return port
    }

    private static func parameters(_ query: Substring) throws(StateAddressError) -> [(Parameter, String)] {
        var seen: Set<Parameter> = []
        var result: [(Parameter, String)] = []
        for pair in query.split(separator: "&") {
            let equals = pair.firstIndex(of: "=")
            guard let name = PercentCoding.decode(pair[..<(equals ?? pair.endIndex)]) else { throw .badEncoding("parameters") }
            guard let parameter = Parameter(rawValue: name) else { throw .unknownParameter(name) }
            guard let equals else { throw .parameterWithoutValue(name) }
            guard let value = PercentCoding.decode(pair[pair.index(after: equals)...]) else { throw .badEncoding("parameters") }
            guard seen.insert(parameter).inserted else { throw .repeatedParameter(name) }
            result.append((parameter, value))
        }
        return result
    }

    /// The schema is written unquoted into SQL, so only a plain lower-case identifier will do;
    /// and it names the state's notification channels (`orbrec_events_<schema>`), which
    /// PostgreSQL caps at 63 bytes: hence at most 49 characters.
    static func checkedSchema(_ name: String) throws(StateAddressError) -> String {
        let bytes = Array(name.utf8)
        let isPlain = (1...49).contains(bytes.count)
            && bytes.enumerated().allSatisfy { index, byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == UInt8(ascii: "_")
                    || (index > 0 && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte))
            }
        guard isPlain else { throw .badSchema(name) }
        guard !name.hasPrefix("pg_") else { throw .reservedSchema(name) }
        return name
    }

    /// libpq's: `PGUSER`, else the login name; an empty variable counts as unset, as there.
    static func defaultUser(_ environment: [String: String]) -> String {
        ["PGUSER", "USER", "LOGNAME"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? "postgres"
    }
}
