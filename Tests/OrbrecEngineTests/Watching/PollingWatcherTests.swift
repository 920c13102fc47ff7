import Foundation
@testable import OrbrecEngine
import Testing

@Suite struct PollingWatcherTests {
    @Test func detectsModificationCreationAndDeletion() async throws {
        let tree = try TemporaryTree()
        tree.mkdir("fleets")
        tree.write("fleets/web.yaml", "replicas: 1\n")
        tree.write("gone.json", "{}")
        let watcher = PollingWatcher(root: tree.root, interval: .milliseconds(50))
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        tree.write("fleets/web.yaml", "replicas: 22\n")
        let modified = await collector.wait(for: ["fleets/web.yaml"])
        #expect(modified.union == ["fleets/web.yaml"])
        #expect(modified.first?.counts == ["modified": 1])

        await collector.settleAndClear()
        tree.mkdir("new")
        tree.write("new/db.yml")
        let created = await collector.wait(for: ["new/db.yml"])
        #expect(created.union == ["new/db.yml"])
        #expect(created.first?.counts == ["created": 1])
        #expect(created.allSatisfy { !$0.rescanned })

        await collector.settleAndClear()
        tree.remove("gone.json")
        let deleted = await collector.wait(for: ["gone.json"])
        #expect(deleted.union == ["gone.json"])
        #expect(deleted.first?.counts == ["deleted": 1])
    }

    @Test func ignoresHiddenAndNonConfigurationFiles() async throws {
        let tree = try TemporaryTree()
        tree.mkdir(".orbrec")
        let watcher = PollingWatcher(root: tree.root, interval: .milliseconds(50))
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        tree.write(".orbrec/state.db", "sqlite")
        tree.write(".orbrec/x.yaml", "x: 1")
        tree.write("4913", "")
        tree.write("web.yaml~", "backup")
        let batches = await collector.wait(timeout: .milliseconds(300)) { !$0.isEmpty }
        #expect(batches.isEmpty)
    }

    @Test func stopEndsTheStreamPromptly() async throws {
        let tree = try TemporaryTree()
        let watcher = PollingWatcher(root: tree.root, interval: .seconds(10))
        let collector = BatchCollector(watcher)
        try await Task.sleep(for: .milliseconds(20))
        let start = ContinuousClock.now
        watcher.stop()
        #expect(await collector.waitFinished(timeout: .seconds(1)))
        #expect(start.duration(to: .now) < .seconds(1))
    }

    @Test func differenceOfSnapshots() {
        let stamp = FileStamp(modifiedNanoseconds: 1, size: 10, inode: 5)
        let previous = ["same.yaml": stamp, "edited.yaml": stamp, "gone.yaml": stamp, "replaced.yaml": stamp]
        var current = previous
        current["edited.yaml"]?.modifiedNanoseconds = 2
        current["replaced.yaml"]?.inode = 6
        current["gone.yaml"] = nil
        current["new.yaml"] = stamp

        #expect(PollingWatcher.difference(from: previous, to: previous) == nil)
        #expect(PollingWatcher.difference(from: previous, to: current) == WatchBatch(
            paths: ["edited.yaml", "replaced.yaml", "gone.yaml", "new.yaml"],
            rescanned: false,
            counts: ["modified": 2, "deleted": 1, "created": 1]))
    }
}
