internal import Glibc

/// What the polling watcher compares between walks. The inode catches a rename over the file
/// that keeps size and (coarse, jiffy-granular) mtime; size catches quick rewrites that land in
/// the same mtime tick.
struct FileStamp: Sendable, Equatable {
    var modifiedNanoseconds: Int64
    var size: Int64
    var inode: UInt64

    /// Follows symlinks so an edit of a linked file is seen; a dangling link still counts as
    /// present, stamped from the link itself.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 || lstat(path, &info) == 0 else { return nil }
        modifiedNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        size = Int64(info.st_size)
        inode = UInt64(info.st_ino)
    }

    init(modifiedNanoseconds: Int64, size: Int64, inode: UInt64) {
        self.modifiedNanoseconds = modifiedNanoseconds
        self.size = size
        self.inode = inode
    }

    /// Every configuration file under `root` (outside `skipping`), by root-relative path.
    static func snapshot(of root: String, skipping: Set<String> = []) -> [String: FileStamp] {
        var stamps: [String: FileStamp] = [:]
        DirectoryWalker.walk(root: root, skipping: skipping, enter: { _, _ in true }, file: { relative, absolute in
            stamps[relative] = FileStamp(path: absolute)
        })
        return stamps
    }
}
