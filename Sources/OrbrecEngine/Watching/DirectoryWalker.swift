internal import Glibc

/// Depth-first walk of the configuration tree with the watchers' filtering. Uses readdir
/// directly because the inotify watcher must hook in between "directory found" and
/// "directory listed", and because FileManager would stat every entry.
enum DirectoryWalker {
    /// `enter` runs for each directory before it is listed and may skip it by returning false:
    /// an inotify watch goes on before the listing, so a file cannot land unseen in between.
    /// `file` receives each configuration file. Symlinked directories are not followed (loops,
    /// and a watch on the target would report paths under another name); symlinked files are.
    /// Directories in `skipping` (root-relative) are neither entered nor watched.
    static func walk(root: String, skipping: Set<String> = [],
                     enter: (_ relative: String, _ absolute: String) -> Bool,
                     file: (_ relative: String, _ absolute: String) -> Void) {
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        var pending = [""]
        while let relative = pending.popLast() {
            let absolute = relative.isEmpty ? root : root + "/" + relative
            guard enter(relative, absolute), let directory = opendir(absolute) else { continue }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                // Through the pointer: readdir fills only as much of the entry as the name needs.
                let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
                guard name != ".", name != "..", !ConfigurationFileFilter.isHidden(name) else { continue }
                let childRelative = ConfigurationFileFilter.join(relative, name)
                let childAbsolute = absolute + "/" + name
                var type = entry.pointee.d_type
                if type == UInt8(DT_UNKNOWN) { type = lstatType(childAbsolute) }
                if type == UInt8(DT_DIR) {
                    if !skipping.contains(childRelative) { pending.append(childRelative) }
                } else if type == UInt8(DT_REG) || type == UInt8(DT_LNK), ConfigurationFileFilter.isConfigurationFile(name) {
                    file(childRelative, childAbsolute)
                }
            }
        }
    }

    /// The d_type equivalent for file systems that leave d_type unset.
    private static func lstatType(_ path: String) -> UInt8 {
        var info = stat()
        guard lstat(path, &info) == 0 else { return UInt8(DT_UNKNOWN) }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return UInt8(DT_DIR)
        case S_IFREG: return UInt8(DT_REG)
        case S_IFLNK: return UInt8(DT_LNK)
        default: return UInt8(DT_UNKNOWN)
        }
    }

    /// One entry's inode (a symlink's own; lstat rather than readdir's d_ino, which overlayfs
    /// may report differently) and whether it is a symlink or a file with more than one name
    /// (`ln`), both created whole and never written.
    static func entry(_ path: String) -> (inode: UInt64, isLink: Bool)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let type = info.st_mode & S_IFMT
        return (UInt64(info.st_ino), type == S_IFLNK || (type == S_IFREG && info.st_nlink > 1))
    }
}
