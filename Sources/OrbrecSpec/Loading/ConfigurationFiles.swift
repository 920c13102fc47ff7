internal import Foundation

/// Finds the files of a configuration directory: every `*.yaml`, `*.yml` and `*.json`
/// below it, skipping hidden directories and `.orbrec/`, in a stable order.
enum ConfigurationFiles {
    static let extensions: Set<String> = ["yaml", "yml", "json"]

    /// Paths relative to `root`, sorted.
    static func list(in root: String) throws -> [String] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: root, isDirectory: &isDirectory) else {
            throw CocoaError(.fileNoSuchFile)
        }
        if !isDirectory.boolValue { return [""] }
        var found: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? root : root + "/" + relative
            let entries = try manager.contentsOfDirectory(atPath: absolute)
            for entry in entries where !entry.hasPrefix(".") {
                let child = relative.isEmpty ? entry : relative + "/" + entry
                var childIsDirectory: ObjCBool = false
                guard manager.fileExists(atPath: root + "/" + child, isDirectory: &childIsDirectory) else { continue }
                if childIsDirectory.boolValue {
                    pending.append(child)
                } else if let dot = entry.lastIndex(of: "."), extensions.contains(String(entry[entry.index(after: dot)...]).lowercased()) {
                    found.append(child)
                }
            }
        }
        return found.sorted()
    }
}
