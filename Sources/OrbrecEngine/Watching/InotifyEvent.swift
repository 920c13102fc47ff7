internal import Glibc

/// The inotify mask bits the watcher uses, typed once so the rest of the code does not
/// juggle the Int32 macros Glibc imports.
struct InotifyMask: OptionSet, Sendable, Hashable {
    let rawValue: UInt32

    static let closeWrite = InotifyMask(rawValue: UInt32(IN_CLOSE_WRITE))
    static let movedFrom = InotifyMask(rawValue: UInt32(IN_MOVED_FROM))
    static let movedTo = InotifyMask(rawValue: UInt32(IN_MOVED_TO))
    static let create = InotifyMask(rawValue: UInt32(IN_CREATE))
    static let delete = InotifyMask(rawValue: UInt32(IN_DELETE))
    static let deleteSelf = InotifyMask(rawValue: UInt32(IN_DELETE_SELF))
    static let moveSelf = InotifyMask(rawValue: UInt32(IN_MOVE_SELF))
    static let unmount = InotifyMask(rawValue: UInt32(IN_UNMOUNT))
    static let queueOverflow = InotifyMask(rawValue: UInt32(IN_Q_OVERFLOW))
    static let ignored = InotifyMask(rawValue: UInt32(IN_IGNORED))
    static let onlyDirectory = InotifyMask(rawValue: UInt32(IN_ONLYDIR))
    static let dontFollow = InotifyMask(rawValue: UInt32(IN_DONT_FOLLOW))
    static let isDirectory = InotifyMask(rawValue: UInt32(IN_ISDIR))

    /// What every watched directory asks for. Files are never watched on their own: a
    /// directory watch sees writes, renames and deletions of its entries, which is what an
    /// editor's write-temp-then-rename save needs.
    static let directoryWatch: InotifyMask = [
        .closeWrite, .movedFrom, .movedTo, .create, .delete, .deleteSelf, .moveSelf, .onlyDirectory,
    ]
}

/// One record of the inotify read buffer.
struct InotifyEvent: Sendable, Equatable {
    static let headerSize = 16

    var wd: Int32
    var mask: InotifyMask
    var cookie: UInt32
    /// The entry name inside the watched directory; empty for events on the directory itself.
    var name: String

    /// Splits a buffer filled by `read(2)` into events: a 16-byte header (wd, mask, cookie,
    /// len) then `len` bytes of name padded with NULs. A truncated tail is dropped rather than
    /// trusted; the kernel never returns one, so it can only come from a bad caller.
    static func parse(_ buffer: UnsafeRawBufferPointer) -> [InotifyEvent] {
        var events: [InotifyEvent] = []
        var offset = 0
        while offset + headerSize <= buffer.count {
            let wd = buffer.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let cookie = buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            let length = Int(buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameStart = offset + headerSize
            guard nameStart + length <= buffer.count else { break }
            let nameBytes = buffer[nameStart ..< nameStart + length]
            let nameEnd = nameBytes.firstIndex(of: 0) ?? nameBytes.endIndex
            let name = String(decoding: buffer[nameStart ..< nameEnd], as: UTF8.self)
            events.append(InotifyEvent(wd: wd, mask: InotifyMask(rawValue: mask), cookie: cookie, name: name))
            offset = nameStart + length
        }
        return events
    }

    static func parse(_ bytes: [UInt8]) -> [InotifyEvent] {
        bytes.withUnsafeBytes { parse($0) }
    }
}
