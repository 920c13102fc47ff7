import Foundation
import Glibc
@testable import OrbrecEngine
import Testing

/// The inotify buffer parser and the event → action mapping, without a watcher.
@Suite struct WatcherEventParsingTests {
    /// One record as the kernel lays it out: header, then the name NUL-padded to `paddedLength`.
    static func record(wd: Int32, mask: UInt32, cookie: UInt32 = 0, name: String = "", paddedLength: Int? = nil) -> [UInt8] {
        let nameBytes = Array(name.utf8)
        let length = name.isEmpty && paddedLength == nil ? 0 : paddedLength ?? ((nameBytes.count / 16) + 1) * 16
        var bytes: [UInt8] = []
        withUnsafeBytes(of: wd.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: mask.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: cookie.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt32(length).littleEndian) { bytes += $0 }
        bytes += nameBytes + Array(repeating: 0, count: length - nameBytes.count)
        return bytes
    }

    @Test func parsesAHandBuiltBufferWithAnOverflow() {
        var buffer = Self.record(wd: 1, mask: UInt32(IN_CLOSE_WRITE), name: "web.yaml")
        buffer += Self.record(wd: 2, mask: UInt32(IN_MOVED_FROM), cookie: 77, name: "exactly-16-bytes", paddedLength: 32)
        buffer += Self.record(wd: 2, mask: UInt32(IN_CREATE) | UInt32(IN_ISDIR), name: "fleets")
        buffer += Self.record(wd: -1, mask: UInt32(IN_Q_OVERFLOW))
        // A truncated record must be dropped, not read past.
        buffer += Array(Self.record(wd: 3, mask: UInt32(IN_DELETE), name: "cut.yaml").prefix(20))

        let events = InotifyEvent.parse(buffer)

        #expect(events == [
            InotifyEvent(wd: 1, mask: .closeWrite, cookie: 0, name: "web.yaml"),
            InotifyEvent(wd: 2, mask: .movedFrom, cookie: 77, name: "exactly-16-bytes"),
            InotifyEvent(wd: 2, mask: [.create, .isDirectory], cookie: 0, name: "fleets"),
            InotifyEvent(wd: -1, mask: .queueOverflow, cookie: 0, name: ""),
        ])
    }

    @Test func parsesEmptyAndHeaderOnlyBuffers() {
        #expect(InotifyEvent.parse([UInt8]()).isEmpty)
        #expect(InotifyEvent.parse(Array(repeating: 0, count: 15)).isEmpty)
        #expect(InotifyEvent.parse(Self.record(wd: 4, mask: UInt32(IN_IGNORED))) == [
            InotifyEvent(wd: 4, mask: .ignored, cookie: 0, name: ""),
        ])
    }

    /// The real kernel, a real overflow: a raw inotify descriptor nobody reads while more
    /// events than `max_queued_events` are made. Checks the parser on the kernel's own layout.
    @Test func parsesARealKernelOverflow() throws {
        let tree = try TemporaryTree()
        tree.write("a.yaml")
        tree.write("b.yaml")
        let fd = inotify_init1(Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC))
        try #require(fd >= 0)
        defer { close(fd) }
        try #require(inotify_add_watch(fd, tree.root, InotifyMask.directoryWatch.rawValue) >= 0)

        let limit = InotifyLimits.maxQueuedEvents
        for index in 0 ..< limit + 50 {
            close(open(tree.path(index.isMultiple(of: 2) ? "a.yaml" : "b.yaml"), O_WRONLY))
        }

        var events: [InotifyEvent] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            events += buffer.withUnsafeBytes { InotifyEvent.parse(UnsafeRawBufferPointer(rebasing: $0[0 ..< count])) }
        }

        #expect(events.count == limit + 1)
        #expect(events.last == InotifyEvent(wd: -1, mask: .queueOverflow, cookie: 0, name: ""))
        #expect(events.dropLast().allSatisfy { $0.mask == .closeWrite && ($0.name == "a.yaml" || $0.name == "b.yaml") })
    }

    static let directories: [Int32: String] = [1: "", 2: "fleets", 3: "fleets/eu"]

    static func action(_ wd: Int32, _ mask: InotifyMask, _ name: String = "") -> InotifyAction {
        InotifyAction.interpret(InotifyEvent(wd: wd, mask: mask, cookie: 0, name: name), directories: directories, rootWatch: 1)
    }

    @Test func overflowMeansRescan() {
        #expect(Self.action(-1, .queueOverflow) == .overflow)
    }

    @Test func fileEventsMapToRelativePaths() {
        #expect(Self.action(1, .closeWrite, "web.yaml") == .file(path: "web.yaml", change: .modified))
        #expect(Self.action(3, .closeWrite, "db.JSON") == .file(path: "fleets/eu/db.JSON", change: .modified))
        #expect(Self.action(2, .movedTo, "web.yml") == .file(path: "fleets/web.yml", change: .movedIn))
        #expect(Self.action(2, .movedFrom, "web.yml") == .file(path: "fleets/web.yml", change: .movedOut))
        #expect(Self.action(2, .delete, "web.yml") == .file(path: "fleets/web.yml", change: .deleted))
        #expect(Self.action(2, .create, "web.yml") == .fileCreated(path: "fleets/web.yml"))
    }

    @Test func nonConfigurationAndHiddenNamesAreIgnored() {
        for name in ["4913", "web.yaml~", ".web.yaml.swp", "web.yaml.swp", ".hidden.yaml", "notes.txt", ".yaml"] {
            #expect(Self.action(1, .closeWrite, name) == .ignore, "\(name)")
            #expect(Self.action(1, .movedTo, name) == .ignore, "\(name)")
        }
        #expect(Self.action(1, [.create, .isDirectory], ".orbrec") == .ignore)
        #expect(Self.action(1, [.movedTo, .isDirectory], ".git") == .ignore)
    }

    @Test func directoryEventsMeanRescan() {
        #expect(Self.action(1, [.create, .isDirectory], "fleets") == .directoryChanged)
        #expect(Self.action(2, [.movedTo, .isDirectory], "us") == .directoryChanged)
        #expect(Self.action(2, [.movedFrom, .isDirectory], "eu") == .directoryChanged)
        #expect(Self.action(2, [.delete, .isDirectory], "eu") == .directoryChanged)
    }

    @Test func selfEventsMatterOnlyForTheRoot() {
        #expect(Self.action(1, .deleteSelf) == .rootLost)
        #expect(Self.action(1, .moveSelf) == .rootLost)
        #expect(Self.action(3, .deleteSelf) == .ignore)
        #expect(Self.action(3, .moveSelf) == .ignore)
        #expect(Self.action(3, .ignored) == .watchRemoved(wd: 3))
    }

    @Test func eventsOfUnknownWatchesAreIgnored() {
        #expect(Self.action(99, .closeWrite, "web.yaml") == .ignore)
        #expect(Self.action(99, .ignored) == .watchRemoved(wd: 99))
    }

    @Test func changeKindsCountUnderTheirMetricKeys() {
        #expect(InotifyAction.FileChange.modified.countKey == "modified")
        #expect(InotifyAction.FileChange.deleted.countKey == "deleted")
        #expect(InotifyAction.FileChange.movedIn.countKey == "moved")
        #expect(InotifyAction.FileChange.movedOut.countKey == "moved")
    }
}
