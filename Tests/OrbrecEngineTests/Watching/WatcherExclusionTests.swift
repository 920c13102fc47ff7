import Foundation
@testable import OrbrecEngine
import Testing

/// Directories orbrec writes into (a state kept inside the configuration, its task outputs)
/// are never watched, even when they are made after the watcher started.
@Suite struct WatcherExclusionTests {
    @Test func inotifyIgnoresAnExcludedDirectoryMadeLater() async throws {
        let tree = try TemporaryTree()
        tree.write("fleet.yaml")
        let watcher = try InotifyWatcher(root: tree.root, excluding: [tree.path("state"), tree.path("state/tasks")])
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        tree.mkdir("state/tasks/sims/1")
        for round in 0 ..< 10 {
            tree.write("state/tasks/sims/1/\(round).result.json", "{}")
            tree.write("state/notes.yaml", "round: \(round)")
        }
        let quiet = await collector.wait(timeout: .milliseconds(300)) { !$0.isEmpty }
        #expect(quiet.isEmpty, "\(quiet)")

        tree.write("fleet.yaml", "count: 2")
        let batches = await collector.wait { !$0.isEmpty }
        #expect(batches.map(\.paths) == [["fleet.yaml"]])
    }

    @Test func pollingSkipsAnExcludedDirectory() async throws {
        let tree = try TemporaryTree()
        tree.mkdir("state")
        let watcher = PollingWatcher(root: tree.root, interval: .milliseconds(50), excluding: [tree.path("state")])
        defer { watcher.stop() }
        let collector = BatchCollector(watcher)

        tree.write("state/result.json", "{}")
        let quiet = await collector.wait(timeout: .milliseconds(300)) { !$0.isEmpty }
        #expect(quiet.isEmpty, "\(quiet)")
        tree.write("pool.yaml", "x: 1")
        let batches = await collector.wait { !$0.isEmpty }
        #expect(batches.flatMap(\.paths) == ["pool.yaml"])
    }

    @Test func relativePathsResolveLinksAndSkipWhatIsOutside() throws {
        let tree = try TemporaryTree()
        tree.mkdir("cfg/state")
        try FileManager.default.createSymbolicLink(atPath: tree.path("current"), withDestinationPath: tree.path("cfg"))
        let relative = ConfigurationFileFilter.relativePaths(
            of: [tree.path("cfg/state"), tree.path("cfg/state/tasks"), tree.path("elsewhere"), tree.path("cfg")],
            under: tree.path("current"))
        #expect(relative == ["state", "state/tasks"])
    }
}
