import Foundation
import Glibc
import OrbrecCore
import OrbrecHostFactory

/// The test plugin of Fixtures/plugin (a pretend cloud in files, real processes) with a
/// configuration and work directory of its own, and a provider driving it.
final class PluginFixture {
    static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/plugin").path
    static let owner = "state-test"

    let directory: String
    var confDirectory: String { directory + "/conf" }
    var workDirectory: String { directory + "/work" }

    init(control: [String: Any] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-hf-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: confDirectory, withIntermediateDirectories: true)
        try #"{"templates": [{"templateId": "small", "maxNumber": 20, "attributes": {"ncpus": ["Numeric", "1"], "mem": ["Numeric", "1024"], "type": ["String", "X86_64"]}}]}"#
            .write(toFile: confDirectory + "/templates.json", atomically: true, encoding: .utf8)
        try setControl(control)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func setControl(_ control: [String: Any]) throws {
        try JSONSerialization.data(withJSONObject: control).write(to: URL(fileURLWithPath: confDirectory + "/control.json"))
    }

    func provider(timeout: ConfigDuration = .seconds(30), abandonAfter: ConfigDuration? = nil, scripts: String = PluginFixture.scripts,
                  checkpoint: @escaping @Sendable (String) -> Void = { _ in }) -> HostFactoryProvider {
        let plugin = HostFactoryPlugin(providerName: "hf", scriptsDirectory: scripts, confDirectory: confDirectory,
                                       workDirectory: workDirectory, logDirectory: nil, extra: ["FAKE_FLAVOUR": "test"],
                                       base: ProcessInfo.processInfo.environment, timeout: timeout, abandonAfter: abandonAfter)
        return HostFactoryProvider(name: "hf", plugin: plugin, checkpoint: checkpoint)
    }

    static func template(_ templateID: String = "small") -> TemplateSpec {
        TemplateSpec(metadata: Metadata(name: "small"), provider: "hf", settings: .hostfactory(HostFactoryTemplateSettings(templateId: templateID)))
    }

    static func order(_ machines: [String], request: String = "req-\(UUID().uuidString.prefix(8).lowercased())",
                      owner: String = PluginFixture.owner, template: TemplateSpec = PluginFixture.template()) -> ProvisionOrder {
        ProvisionOrder(requestID: request, actionID: "act-1", owner: owner, fleet: "workers", template: template,
                       templateHash: "hash-1", machineIDs: machines)
    }

    static func giveBack(_ machines: [String], owner: String = PluginFixture.owner) -> ReturnOrder {
        ReturnOrder(requestID: "ret-\(UUID().uuidString.prefix(8).lowercased())", actionID: "act-2", owner: owner,
                    machines: machines.map { ReturnOrder.Machine(id: $0, providerID: nil) })
    }

    /// The calls the plugin saw, oldest first.
    func calls() throws -> [[String: Any]] {
        let text = (try? String(contentsOfFile: workDirectory + "/calls.log", encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
    }

    func scriptsCalled() throws -> [String] { try calls().compactMap { $0["script"] as? String } }

    /// The pids hang.pids holds (the hanging script and its child), once the script wrote them.
    func hangingPids(within seconds: Double = 10) throws -> [Int32] {
        let path = workDirectory + "/hang.pids"
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let pids = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: " ")
                .compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if pids.count == 2 { return pids }
            usleep(50_000)
        }
        return []
    }

    /// The cloud acting behind orbrec's back.
    func cloud(_ verb: String, _ machine: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.scripts + "/plugin.py", "admin", verb, machine]
        process.environment = ProcessInfo.processInfo.environment.merging(["HF_PROVIDER_WORKDIR": workDirectory]) { $1 }
        try process.run()
        process.waitUntilExit()
    }

    /// Runs one of the plugin's scripts by hand, as another orbrec would have, its answer into `output`.
    func runScript(_ script: String, input: String, output: String) throws {
        let inputPath = directory + "/hand-\(UUID().uuidString.prefix(6)).json"
        try input.write(toFile: inputPath, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.scripts + "/" + script + ".sh")
        process.arguments = ["-f", inputPath]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["HF_PROVIDER_WORKDIR": workDirectory, "HF_PROVIDER_CONFDIR": confDirectory]) { $1 }
        FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        try process.run()
        process.waitUntilExit()
    }

    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !(stat.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? true)
    }
}
