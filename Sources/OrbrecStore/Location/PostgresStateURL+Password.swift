internal import Foundation

/// The URL with the password libpq would use, where it came from, and libpq's warning when
/// it passed over an unsafe password file. The warning names the file, never a password.
public struct PasswordResolution: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case url
        case environment
        case passwordFile(String)
        /// No password anywhere: the server may not ask for one (trust, certificates).
        case none
    }

    public let url: PostgresStateURL
    public let source: Source
    public let warning: String?
}

extension PostgresStateURL {
    /// With this process's environment and the user's home directory: `$HOME`, else the
    /// password database's, as libpq looks for `~/.pgpass`.
    public func resolvingPassword() -> PasswordResolution {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.homeDirectoryForCurrentUser.path
        return resolvingPassword(environment: environment, home: home)
    }

    /// libpq's order: the URL's password, else `PGPASSWORD`, else the first matching line of
    /// `PGPASSFILE` (or `home/.pgpass`). An empty `PGPASSWORD` counts as none, and a matched
    /// line with an empty password ends the search with none, both as in libpq.
    public func resolvingPassword(environment: [String: String], home: String?) -> PasswordResolution {
        if password != nil { return PasswordResolution(url: self, source: .url, warning: nil) }
        if let fromEnvironment = environment["PGPASSWORD"], !fromEnvironment.isEmpty {
            return PasswordResolution(url: withPassword(fromEnvironment), source: .environment, warning: nil)
        }
        guard let path = Self.passwordFilePath(environment: environment, home: home) else {
            return PasswordResolution(url: self, source: .none, warning: nil)
        }
        switch PgPassFile.read(at: path) {
        case .absent:
            return PasswordResolution(url: self, source: .none, warning: nil)
        case .ignored(let warning):
            return PasswordResolution(url: self, source: .none, warning: warning)
        case .read(let file):
            guard let found = file.password(host: host, port: port, database: database, user: user), !found.isEmpty else {
                return PasswordResolution(url: self, source: .none, warning: nil)
            }
            return PasswordResolution(url: withPassword(found), source: .passwordFile(path), warning: nil)
        }
    }

    static func passwordFilePath(environment: [String: String], home: String?) -> String? {
        if let path = environment["PGPASSFILE"], !path.isEmpty { return path }
        guard let home, !home.isEmpty else { return nil }
        return home.hasSuffix("/") ? home + ".pgpass" : home + "/.pgpass"
    }

    private func withPassword(_ password: String) -> PostgresStateURL {
        var url = self
        url.password = password
        return url
    }
}
