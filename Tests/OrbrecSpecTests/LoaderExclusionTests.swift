import Foundation
import OrbrecCore
import OrbrecSpec
import Testing

/// What orbrec writes (a state kept inside the configuration, its task outputs and results)
/// is never read as configuration, under any name it is reached by.
@Suite struct LoaderExclusionTests {
    @Test func excludedDirectoriesAreNotRead() throws {
        let directory = try LoaderTests().write([
            "fleet.yaml": LoaderTests.valid,
            "state/tasks/sims/1/1.result.json": #"{"exit_code": 0}"#,
            "state/notes.yaml": "this: [is not valid",
            "machines/m-1.json": "{}",
        ])
        #expect(throws: ConfigurationError.self) { try ConfigLoader().load(directory) }
        let loaded = try ConfigLoader().load(directory, excluding: [directory + "/state", directory + "/machines", "/nonexistent/dir"])
        #expect(loaded.files == ["fleet.yaml"])
    }

    @Test func anExcludedDirectoryIsSkippedWhenReachedThroughALink() throws {
        let directory = try LoaderTests().write([
            "fleet.yaml": LoaderTests.valid,
            "state/result.json": "[1, 2]",
        ])
        try FileManager.default.createSymbolicLink(atPath: directory + "/again", withDestinationPath: directory + "/state")
        let loaded = try ConfigLoader().load(directory, excluding: [directory + "/state"])
        #expect(loaded.files == ["fleet.yaml"])
    }
}
