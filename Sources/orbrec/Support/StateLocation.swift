internal import Foundation

/// Where the state lives when neither `--state` nor `ORBREC_STATE` says: beside the
/// configuration, as a Terraform root module keeps its own, so the same directory plans
/// against the same state whatever the current directory is.
enum StateLocation {
    static let directoryName = ".orbrec"
    static let fileName = "state.db"

    /// `CONFIG_DIR/.orbrec/state.db`; for a configuration given as one file, its directory's.
    static func defaultPath(forConfiguration config: String) -> String {
        var directory = config
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: config, isDirectory: &isDirectory), !isDirectory.boolValue {
            directory = (config as NSString).deletingLastPathComponent
        }
        while directory.count > 1, directory.hasSuffix("/") { directory.removeLast() }
        if directory.isEmpty || directory == "." { return directoryName + "/" + fileName }
        return (directory == "/" ? "" : directory) + "/" + directoryName + "/" + fileName
    }

    /// `path` made absolute against the current directory, without `.` or `..`.
    static func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (joined as NSString).standardizingPath
    }
}
