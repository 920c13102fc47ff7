import Dispatch
import Foundation
import Glibc
@testable import OrbrecEngine
import Testing

/// The watcher against real files and the real kernel.
@Suite struct InotifyWatcherTests {
    @Test func plainWriteIsReported() async throws {
        let tree = try TemporaryTree()
        tree.write("web.yaml")
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        tree.write("web.yaml", "replicas: 2\n")
        let batches = await collector.wait { !$0.isEmpty }

        // No latency bound here: with other suites loading the cooperative pool, what it would
        // measure is the test's own scheduling. Burst timing is covered by WatcherDebouncerTests.
        #expect(batches == [WatchBatch(paths: ["web.yaml"], rescanned: false, counts: ["modified": 1])])
    }

    @Test func newFileIsReportedOnCloseWithItsCreation() async throws {
        let tree = try TemporaryTree()
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        tree.write("new.json", "{}")
        let batches = await collector.wait { !$0.isEmpty }

        #expect(batches == [WatchBatch(paths: ["new.json"], counts: ["created": 1, "modified": 1])])
    }

    @Test func createdFileIsNotReportedBeforeItIsClosed() async throws {
        let tree = try TemporaryTree()
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        let fd = open(tree.path("slow.yaml"), O_WRONLY | O_CREAT, 0o644)
        try #require(fd >= 0)
        let early = await collector.wait(timeout: .milliseconds(150)) { !$0.isEmpty }
        close(fd)
        let batches = await collector.wait { !$0.isEmpty }

        #expect(early.isEmpty)
        #expect(batches.map(\.paths) == [["slow.yaml"]])
    }

    @Test func editorSaveByRenameReportsTheTarget() async throws {
        let tree = try TemporaryTree()
        tree.write("fleet.yaml")
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        tree.write(".fleet.yaml.swp", "swap")
        tree.write("4913", "")
        tree.remove("4913")
        tree.write("fleet.yaml.tmp.1234", "replicas: 3\n")
        tree.rename("fleet.yaml.tmp.1234", "fleet.yaml")
        tree.write(".fleet.yaml.swp", "swap again")
        let batches = await collector.wait { !$0.isEmpty }
        await collector.settleAndClear()

        #expect(batches == [WatchBatch(paths: ["fleet.yaml"], counts: ["moved": 1])])
        #expect(collector.batches.isEmpty)
    }

    @Test func vimBackupStyleSaveReportsTheTarget() async throws {
        let tree = try TemporaryTree()
        tree.write("fleet.yml")
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        // What vim does with backupcopy=no: probe, move the original aside, write anew, drop the backup.
        tree.write("4913", "")
        tree.remove("4913")
        tree.rename("fleet.yml", "fleet.yml~")
        tree.write("fleet.yml", "replicas: 4\n")
        tree.remove("fleet.yml~")
        let batches = await collector.wait { !$0.isEmpty }

        #expect(batches.count == 1)
        #expect(batches.first?.paths == ["fleet.yml"])
        #expect(batches.first?.rescanned == false)
    }

    @Test func editorDroppingsAloneProduceNoBatch() async throws {
        let tree = try TemporaryTree()
        tree.write("fleet.yaml")
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        tree.write(".fleet.yaml.swp", "swap")
        tree.write(".fleet.yaml.swx", "swap")
        tree.write("4913", "")
        tree.remove("4913")
        tree.write("fleet.yaml~", "backup")
        tree.remove("fleet.yaml~")
        tree.write("notes.txt", "not configuration")
        tree.remove(".fleet.yaml.swp")

        let batches = await collector.wait(timeout: .milliseconds(300)) { !$0.isEmpty }
        #expect(batches.isEmpty)
    }

    @Test func hiddenDirectoriesAreNeverWatched() async throws {
        let tree = try TemporaryTree()
        tree.mkdir(".orbrec")
        tree.write(".orbrec/state.db", "sqlite")
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        for round in 0 ..< 5 {
            tree.write(".orbrec/state.db", "sqlite \(round)")
            tree.write(".orbrec/state.db-wal", "wal \(round)")
            tree.write(".orbrec/snapshot.json", "{}")
        }
        tree.mkdir(".git/objects")
        tree.write(".git/index", "index")
        tree.write(".git/objects/config.yaml", "x: 1")
        tree.write(".hidden.yaml", "x: 1")

        let batches = await collector.wait(timeout: .milliseconds(300)) { !$0.isEmpty }
        #expect(batches.isEmpty)
    }

    @Test func newSubdirectoryAndAFileWrittenRightAfterMkdir() async throws {
        let tree = try TemporaryTree()
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        tree.mkdir("fleets")
        tree.write("fleets/web.yaml")
        let first = await collector.wait(for: ["fleets/web.yaml"])
        #expect(first.union == ["fleets/web.yaml"])
        #expect(first.contains { $0.rescanned })

        await collector.settleAndClear()
        tree.write("fleets/db.yaml")
        let second = await collector.wait { !$0.isEmpty }
        #expect(second.map(\.paths) == [["fleets/db.yaml"]])
        #expect(second.first?.rescanned == false)
    }

    @Test func nestedDirectoriesCreatedAtOnceAreAllWatched() async throws {
        let tree = try TemporaryTree()
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        tree.mkdir("a/b/c")
        tree.write("a/b/c/deep.yaml")
        tree.write("a/top.json", "{}")
        let first = await collector.wait(for: ["a/b/c/deep.yaml", "a/top.json"])
        #expect(first.union == ["a/b/c/deep.yaml", "a/top.json"])

        await collector.settleAndClear()
        tree.write("a/b/c/deep.yaml", "replicas: 9\n")
        let second = await collector.wait { !$0.isEmpty }
        #expect(second.map(\.paths) == [["a/b/c/deep.yaml"]])
    }

    @Test func renamedDirectoryIsFollowedUnderItsNewName() async throws {
        let tree = try TemporaryTree()
        tree.mkdir("old/inner")
        tree.write("old/x.yaml")
        tree.write("old/inner/y.yaml")
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        tree.rename("old", "new")
        let moved = await collector.wait(for: ["old/x.yaml", "new/x.yaml", "old/inner/y.yaml", "new/inner/y.yaml"])
        #expect(moved.union == ["old/x.yaml", "new/x.yaml", "old/inner/y.yaml", "new/inner/y.yaml"])
        #expect(moved.allSatisfy { $0.rescanned })
        #expect(moved.first?.counts["directory"] == 2)

        await collector.settleAndClear()
        tree.write("new/x.yaml", "replicas: 5\n")
        tree.write("new/inner/y.yaml", "replicas: 6\n")
        let edited = await collector.wait(for: ["new/x.yaml", "new/inner/y.yaml"])
        #expect(edited.union == ["new/x.yaml", "new/inner/y.yaml"])
    }

    @Test func swappedSubdirectoryReportsFilesWithTheSameNames() async throws {
        let tree = try TemporaryTree()
        tree.mkdir("fleets")
        tree.write("fleets/web.yaml", "replicas: 1\n")
        tree.mkdir("staging")
        tree.write("staging/web.yaml", "replicas: 2\n")
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        tree.rename("fleets", "retired")
        tree.rename("staging", "fleets")
        let swapped = await collector.wait(for: ["fleets/web.yaml", "retired/web.yaml", "staging/web.yaml"])
        #expect(swapped.union == ["fleets/web.yaml", "retired/web.yaml", "staging/web.yaml"])
    }

    @Test func directoryMovedOutIsReportedAndNoLongerWatched() async throws {
        let tree = try TemporaryTree()
        let outside = try TemporaryTree()
        tree.mkdir("leaving")
        tree.write("leaving/z.yaml")
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        precondition(rename(tree.path("leaving"), outside.path("leaving")) == 0)
        let moved = await collector.wait(for: ["leaving/z.yaml"])
        #expect(moved.union == ["leaving/z.yaml"])

        await collector.settleAndClear()
        outside.write("leaving/z.yaml", "replicas: 7\n")
        let after = await collector.wait(timeout: .milliseconds(300)) { !$0.isEmpty }
        #expect(after.isEmpty)
    }

    @Test func directoryMovedInIsScanned() async throws {
        let tree = try TemporaryTree()
        let outside = try TemporaryTree()
        outside.mkdir("arriving/sub")
        outside.write("arriving/sub/w.yaml")
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        precondition(rename(outside.path("arriving"), tree.path("arriving")) == 0)
        let moved = await collector.wait(for: ["arriving/sub/w.yaml"])
        #expect(moved.union == ["arriving/sub/w.yaml"])
        #expect(moved.contains { $0.rescanned })

        await collector.settleAndClear()
        tree.write("arriving/sub/w.yaml", "replicas: 8\n")
        let edited = await collector.wait { !$0.isEmpty }
        #expect(edited.map(\.paths) == [["arriving/sub/w.yaml"]])
    }

    @Test func linksAreReportedWhenCreated() async throws {
        let tree = try TemporaryTree()
        let outside = try TemporaryTree()
        outside.write("shared.yaml")
        tree.write("base.yaml")
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        try #require(symlink(outside.path("shared.yaml"), tree.path("linked.yaml")) == 0)
        try #require(link(tree.path("base.yaml"), tree.path("hard.yaml")) == 0)
        let batches = await collector.wait(for: ["linked.yaml", "hard.yaml"])
        #expect(batches.union == ["linked.yaml", "hard.yaml"])
    }

    /// A deploy that swaps the whole directory (`mv conf conf.old; mv conf.new conf`), and a
    /// root that is deleted then made again: the watcher follows the path, not the old inode.
    @Test func rootReplacedOrRecreatedIsFollowed() async throws {
        let tree = try TemporaryTree()
        tree.mkdir("conf/fleets")
        tree.write("conf/fleets/web.yaml")
        tree.mkdir("conf.new/fleets")
        tree.write("conf.new/fleets/web.yaml", "replicas: 3\n")
        tree.write("conf.new/extra.yaml")
        let watcher = try InotifyWatcher(root: tree.path("conf"))
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        tree.rename("conf", "conf.old")
        tree.rename("conf.new", "conf")
        let swapped = await collector.wait(for: ["fleets/web.yaml", "extra.yaml"])
        #expect(swapped.union == ["fleets/web.yaml", "extra.yaml"])
        #expect(swapped.allSatisfy { $0.rescanned })

        await collector.settleAndClear()
        tree.write("conf.old/fleets/web.yaml", "old tree, no longer watched\n")
        tree.write("conf/fleets/web.yaml", "replicas: 4\n")
        let edited = await collector.wait { !$0.isEmpty }
        #expect(edited.map(\.paths) == [["fleets/web.yaml"]])

        await collector.settleAndClear()
        tree.remove("conf")
        let removed = await collector.wait(for: ["fleets/web.yaml", "extra.yaml"])
        #expect(removed.union == ["fleets/web.yaml", "extra.yaml"])

        // While the root is missing the watcher looks for it, but says nothing until it is back.
        await collector.settleAndClear()
        let whileMissing = await collector.wait(timeout: .milliseconds(600)) { !$0.isEmpty }
        #expect(whileMissing.isEmpty)
        tree.mkdir("conf")
        tree.write("conf/back.yaml")
        let back = await collector.wait(for: ["back.yaml"])
        #expect(back.union == ["back.yaml"])
    }

    @Test func burstOfWritesIsDebounced() async throws {
        let tree = try TemporaryTree()
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)
        let names = (0 ..< 10).map { "fleet-\($0).yaml" }

        for write in 0 ..< 50 {
            tree.write(names[write % names.count], "revision: \(write)\n")
        }
        await collector.wait(for: Set(names))
        // Anything still to come (a burst split by maxDelay) arrives well within this.
        try await Task.sleep(for: .milliseconds(300))
        let batches = collector.batches

        #expect(batches.union == Set(names))
        #expect((1 ... 2).contains(batches.count), "\(batches.count) batches")
        #expect(batches.allSatisfy { !$0.rescanned })
    }

    @Test func deletionIsReported() async throws {
        let tree = try TemporaryTree()
        tree.write("gone.yaml")
        tree.mkdir("dir")
        tree.write("dir/also.json", "{}")
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        tree.remove("gone.yaml")
        let single = await collector.wait { !$0.isEmpty }
        #expect(single == [WatchBatch(paths: ["gone.yaml"], counts: ["deleted": 1])])

        await collector.settleAndClear()
        tree.remove("dir")
        let directory = await collector.wait(for: ["dir/also.json"])
        #expect(directory.union == ["dir/also.json"])
    }

    @Test func stopEndsTheStreamPromptly() async throws {
        let tree = try TemporaryTree()
        let watcher = try InotifyWatcher(root: tree.root)
        let stream = watcher.batches()
        try await Task.sleep(for: .milliseconds(20))

        let start = ContinuousClock.now
        watcher.stop()
        for await _ in stream {}
        let elapsed = start.duration(to: .now)

        // The thread itself exits within microseconds; the slack is for the test's scheduling.
        #expect(elapsed < .seconds(1), "stop took \(elapsed)")
        watcher.stop()
    }

    @Test func cancellingTheConsumerStopsTheWatcher() async throws {
        let tree = try TemporaryTree()
        let watcher = try InotifyWatcher(root: tree.root)
        defer { watcher.stop() }
        let stream = watcher.batches()
        let consumer = Task { for await _ in stream {} }
        try await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        await consumer.value
    }

    @Test(.timeLimit(.minutes(1)))
    func watchersDoNotLeakDescriptors() async throws {
        let tree = try TemporaryTree()
        tree.mkdir("a/b")
        let before = openDescriptorCount()
        // More than the default 128 inotify instances per user: a leak fails inotify_init1.
        for _ in 0 ..< 130 {
            let watcher = try InotifyWatcher(root: tree.root)
            let stream = watcher.batches()
            watcher.stop()
            // The stream finishes only after the thread has closed its descriptors.
            for await _ in stream {}
        }
        let after = openDescriptorCount()
        // Other suites may run alongside and hold a few descriptors of their own.
        #expect(after - before < 20, "descriptors before \(before), after \(after)")
    }

    @Test func missingRootThrows() throws {
        let tree = try TemporaryTree()
        tree.write("file.yaml")
        #expect(throws: WatcherError.self) { try InotifyWatcher(root: tree.path("missing")) }
        do {
            _ = try InotifyWatcher(root: tree.path("file.yaml"))
            Issue.record("watching a file should fail")
        } catch let error as WatcherError {
            #expect(error.code == "inotify-watch")
        }
    }

    @Test func trailingSlashInRootIsHarmless() async throws {
        let tree = try TemporaryTree()
        tree.mkdir("sub")
        let watcher = try InotifyWatcher(root: tree.root + "/")
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)
        tree.write("sub/s.yaml")
        let batches = await collector.wait { !$0.isEmpty }
        #expect(batches.union == ["sub/s.yaml"])
    }

    @Test func kernelQueueOverflowRescansTheTree() async throws {
        let tree = try TemporaryTree()
        tree.write("a.yaml")
        tree.write("b.yaml")
        tree.mkdir("sub")
        let gate = DispatchSemaphore(value: 0)
        let watcher = try InotifyWatcher(root: tree.root, debounce: .milliseconds(25), maxDelay: .milliseconds(250),
                                         beforeReading: { gate.wait() })
        defer { watcher.stop() }
        // Never leave the thread parked if an expectation below throws.
        defer { gate.signal() }
        let collector = BatchCollector(watcher)

        // Alternate files: the kernel merges an event identical to the last one queued.
        let events = InotifyLimits.maxQueuedEvents + 100
        for index in 0 ..< events {
            let fd = open(tree.path(index.isMultiple(of: 2) ? "a.yaml" : "b.yaml"), O_WRONLY)
            close(fd)
        }
        tree.write("sub/late.yaml")
        gate.signal()

        let batches = await collector.wait { $0.contains { $0.rescanned && $0.counts["overflow"] == 1 } }
        #expect(batches.contains { $0.rescanned && $0.counts["overflow"] == 1 })
        #expect(batches.union.isSuperset(of: ["a.yaml", "b.yaml", "sub/late.yaml"]))

        await collector.settleAndClear()
        tree.write("sub/late.yaml", "after overflow\n")
        let after = await collector.wait { !$0.isEmpty }
        #expect(after.map(\.paths) == [["sub/late.yaml"]])
    }

    private func openDescriptorCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }
}
