extension PostgresStateURL {
    /// The URL with the password as `***`, every default filled in but only the parameters
    /// that differ from their default, in a fixed order: one state always reads the same, and
    /// the text parses back to the same location.
    public var redacted: String {
        var text = "postgres://" + PercentCoding.encode(user)
        if password != nil { text += ":***" }
        text += "@" + hostText + ":\(port)/" + PercentCoding.encode(database)
        let query = Parameter.allCases.compactMap { parameter in
            value(of: parameter).map { "\(parameter.rawValue)=\(PercentCoding.encode($0, alsoAllowed: Self.readableInQuery))" }
        }
        if !query.isEmpty { text += "?" + query.joined(separator: "&") }
        return text
    }

    /// A value that is not the default, as the query writes it.
    private func value(of parameter: Parameter) -> String? {
        switch parameter {
        case .sslmode: sslMode == .prefer ? nil : sslMode.rawValue
        case .sslrootcert: sslRootCert
        case .schema: schema == Self.defaultSchema ? nil : schema
        case .applicationName: applicationName
        }
    }

    private var hostText: String {
        guard host.contains(":") else { return PercentCoding.encode(host) }
        return "[" + PercentCoding.encode(host, alsoAllowed: [UInt8(ascii: ":")]) + "]"
    }

    /// Paths in `sslrootcert` stay readable; '&' and '=' are still encoded.
    private static let readableInQuery: Set<UInt8> = [UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@")]
}
