/// Which directory entries the watchers care about.
///
/// Hidden entries are skipped at every level because the daemon writes its own state under
/// `<root>/.orbrec/` (and `.git` lives there too): watching them would make it wake itself.
/// Editor droppings (vim's `4913` probe, `file~` backups, `.swp`) fail the extension test.
enum ConfigurationFileFilter {
    static let extensions = [".yaml", ".yml", ".json"]

    static func isHidden(_ name: String) -> Bool {
        name.hasPrefix(".")
    }

    static func isConfigurationFile(_ name: String) -> Bool {
        guard !isHidden(name) else { return false }
        let lowered = name.lowercased()
        return extensions.contains { lowered.hasSuffix($0) && lowered.count > $0.count }
    }

    /// Joins a root-relative directory and an entry name; the root itself is "".
    static func join(_ directory: String, _ name: String) -> String {
        directory.isEmpty ? name : directory + "/" + name
    }
}
