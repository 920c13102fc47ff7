internal import Foundation
internal import Glibc

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

    /// The root-relative paths of those `directories` that lie strictly below `root`, by name
    /// as given and with links resolved (the root may be a link; an excluded directory may not
    /// exist yet). Compared by path, not inode, so one made later is still recognised.
    static func relativePaths(of directories: [String], under root: String) -> Set<String> {
        let roots = Set([lexical(root), resolved(root)])
        var relative: Set<String> = []
        for directory in directories {
            for form in Set([lexical(directory), resolved(directory)]) {
                for base in roots {
                    let prefix = base == "/" ? "/" : base + "/"
                    if form.hasPrefix(prefix), form.count > prefix.count { relative.insert(String(form.dropFirst(prefix.count))) }
                }
            }
        }
        return relative
    }

    private static func lexical(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (joined as NSString).standardizingPath
    }

    /// The real path of the longest existing prefix, with the rest appended as written.
    private static func resolved(_ path: String) -> String {
        var head = lexical(path)
        var tail: [String] = []
        while head != "/" && !head.isEmpty {
            if let real = realpath(head, nil) {
                defer { free(real) }
                let base = String(cString: real)
                return tail.isEmpty ? base : (base == "/" ? "" : base) + "/" + tail.reversed().joined(separator: "/")
            }
            tail.append((head as NSString).lastPathComponent)
            head = (head as NSString).deletingLastPathComponent
        }
        return lexical(path)
    }

    /// Joins a root-relative directory and an entry name; the root itself is "".
    static func join(_ directory: String, _ name: String) -> String {
        directory.isEmpty ? name : directory + "/" + name
    }
}
