import Foundation
import OrbrecCore
import OrbrecSpec
import Testing

@Suite struct LoaderTests {
    func write(_ files: [String: String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-spec-\(UUID().uuidString)").path
        for (name, content) in files {
            let path = "\(directory)/\(name)"
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try content.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return directory
    }

    static let valid = """
        apiVersion: orbrec/v1
        kind: Provider
        metadata: {name: here}
        spec: {type: local, maxInFlight: 4}
        ---
        apiVersion: orbrec/v1
        kind: Template
        metadata: {name: worker}
        spec: {provider: here, command: [sleep, 30], stopTimeout: 1m30s, maxMachines: 9}
        ---
        apiVersion: orbrec/v1
        kind: Fleet
        metadata: {name: workers, labels: {team: cfd}, annotations: {orbrec/prevent-destroy: "true"}}
        spec:
          template: worker
          count: 3
          scaleIn: oldest-first
          replaceUnhealthy: false
          updateStrategy: {maxSurge: 0, maxUnavailable: 2}
        """

    @Test func anAPIPoolLoadsWithNoTaskAndItsCommandMayUseKeyAndArgs() throws {
        let directory = try write(["pool.yaml": """
            apiVersion: orbrec/v1
            kind: Scheduler
            metadata: {name: cpu}
            spec: {type: local}
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: jobs}
            spec:
              scheduler: cpu
              source: api
              command: [simulate, "--key=${key}", "${args.mesh}", "${args.seed-2}", "${attempt}"]
            ---
            apiVersion: orbrec/v1
            kind: TaskPool
            metadata: {name: pulled}
            spec: {mode: pull, source: api}
            """])
        let desired = try ConfigLoader().load(directory).desired
        let pool = try #require(desired.pools["jobs"])
        #expect(pool.isAPI && pool.tasks.isEmpty)
        #expect(pool.commandArgs == ["mesh", "seed-2"])
        #expect(desired.apiPools == ["jobs", "pulled"])
        #expect(desired.pools["pulled"]?.mode == .pull)
    }

    @Test func decodesEveryFieldOfAMultiDocumentFile() throws {
        let directory = try write(["all.yaml": Self.valid])
        let loaded = try ConfigLoader().load(directory)
        let desired = loaded.desired
        #expect(desired.providers["here"]?.maxInFlight == 4)
        let template = try #require(desired.templates["worker"])
        #expect(template.settings == .local(LocalTemplateSettings(command: ["sleep", "30"])))
        #expect(template.stopTimeout == ConfigDuration(milliseconds: 90_000))
        #expect(template.maxMachines == 9)
        let fleet = try #require(desired.fleets["workers"])
        #expect(fleet.count == 3)
        #expect(fleet.scaleIn == .oldestFirst)
        #expect(fleet.replaceUnhealthy == false)
        #expect(fleet.updateStrategy == FleetSpec.UpdateStrategy(maxSurge: 0, maxUnavailable: 2))
        #expect(fleet.metadata.labels == ["team": "cfd"])
        #expect(fleet.metadata.preventsDestroy)
        #expect(fleet.countLocation == SourceLocation(file: "\(directory)/all.yaml", line: 16, column: 10))
    }

    @Test func defaultsApplyWhenFieldsAreOmitted() throws {
        let directory = try write(["a.yaml": """
            apiVersion: orbrec/v1
            kind: Provider
            metadata: {name: here}
            spec: {type: local}
            ---
            apiVersion: orbrec/v1
            kind: Template
            metadata: {name: worker}
            spec: {provider: here, command: [sleep, "1"]}
            ---
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: workers}
            spec: {template: worker, count: 0}
            """])
        let desired = try ConfigLoader().load(directory).desired
        #expect(desired.providers["here"]?.maxInFlight == ProviderSpec.defaultMaxInFlight)
        let fleet = try #require(desired.fleets["workers"])
        #expect(fleet.scaleIn == .newestFirst)
        #expect(fleet.replaceUnhealthy)
        #expect(fleet.updateStrategy == FleetSpec.UpdateStrategy(maxSurge: 1, maxUnavailable: 0))
    }

    @Test func jsonFilesHoldOneDocumentOrAList() throws {
        let directory = try write([
            "provider.json": #"{"apiVersion": "orbrec/v1", "kind": "Provider", "metadata": {"name": "here"}, "spec": {"type": "local"}}"#,
            "rest.json": """
                [{"apiVersion": "orbrec/v1", "kind": "Template", "metadata": {"name": "worker"},
                  "spec": {"provider": "here", "command": ["sleep", "30"]}},
                 {"apiVersion": "orbrec/v1", "kind": "Fleet", "metadata": {"name": "workers"},
                  "spec": {"template": "worker", "count": 2}}]
                """,
        ])
        let desired = try ConfigLoader().load(directory).desired
        #expect(desired.resourceCount == 3)
        #expect(desired.fleets["workers"]?.count == 2)
    }

    @Test func hiddenDirectoriesAndStateAreSkipped() throws {
        let directory = try write([
            "fleet.yaml": Self.valid,
            ".orbrec/junk.yaml": "this: [is not valid",
            ".git/x.yaml": "kind: Nonsense",
            "notes.txt": "not configuration",
        ])
        let loaded = try ConfigLoader().load(directory)
        #expect(loaded.files == ["fleet.yaml"])
    }

    @Test func revisionChangesWithContentOnly() throws {
        let first = try write(["fleet.yaml": Self.valid])
        let second = try write(["fleet.yaml": Self.valid])
        let a = try ConfigLoader().load(first).desired.revision
        let b = try ConfigLoader().load(second).desired.revision
        #expect(a == b)
        let changed = try write(["fleet.yaml": Self.valid.replacingOccurrences(of: "count: 3", with: "count: 4")])
        #expect(try ConfigLoader().load(changed).desired.revision != a)
    }

    @Test func aMissingDirectoryIsOneDiagnostic() {
        #expect(throws: ConfigurationError.self) { try ConfigLoader().load("/nonexistent/orbrec-config") }
    }

    @Test func quickstartExampleIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let desired = try ConfigLoader().load(root.appendingPathComponent("examples/quickstart").path).desired
        #expect(desired.fleets["workers"]?.count == 3)
        #expect(desired.providers["here"]?.type == .local)
    }
}
