import Foundation
import Testing

/// `type: hostfactory` providers for the end-to-end tests: the test plugin of
/// Tests/OrbrecHostFactoryTests/Fixtures/plugin (a pretend cloud in files), and the Open
/// Resource Broker's own HostFactory scripts (orb-py from scripts/lib/orb.sh) against moto.
extension Harness {
    static let testPluginScripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("OrbrecHostFactoryTests/Fixtures/plugin").path

    var pluginConfDirectory: String { directory + "/plugin-conf" }
    var pluginWorkDirectory: String { directory + "/plugin-work" }

    /// A hostfactory provider over the test plugin and a template of it (hostfactory.yaml), and one fleet (fleet.yaml).
    func writeTestPlugin(count: Int, control: [String: Any] = [:], timeout: String = "20s") throws {
        try FileManager.default.createDirectory(atPath: pluginConfDirectory, withIntermediateDirectories: true)
        try #"{"templates": [{"templateId": "small-vm", "maxNumber": 50, "attributes": {"ncpus": ["Numeric", "1"], "mem": ["Numeric", "1024"], "type": ["String", "X86_64"]}}]}"#
            .write(toFile: pluginConfDirectory + "/templates.json", atomically: true, encoding: .utf8)
        try setPluginControl(control)
        try write("hostfactory.yaml", """
            apiVersion: orbrec/v1
            kind: Provider
            metadata: {name: hf}
            spec:
              type: hostfactory
              scriptsDir: \(Self.testPluginScripts)
              confDir: \(pluginConfDirectory)
              workDir: \(pluginWorkDirectory)
              timeout: \(timeout)
            ---
            apiVersion: orbrec/v1
            kind: Template
            metadata: {name: small}
            spec: {provider: hf, templateId: small-vm}
            """)
        try write("fleet.yaml", """
            apiVersion: orbrec/v1
            kind: Fleet
            metadata: {name: workers}
            spec: {template: small, count: \(count)}
            """)
    }

    func setPluginControl(_ control: [String: Any]) throws {
        try JSONSerialization.data(withJSONObject: control).write(to: URL(fileURLWithPath: pluginConfDirectory + "/control.json"))
    }

    /// The test plugin's cloud: machine id → state, for the machines it holds (not terminated).
    func pluginCloud() throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: pluginWorkDirectory + "/cloud.json") else { return [:] }
        let cloud = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        let machines = cloud["machines"] as? [String: [String: Any]] ?? [:]
        return machines.compactMapValues { $0["state"] as? String }
    }

    func livePluginMachines() throws -> Set<String> {
        Set(try pluginCloud().filter { $0.value != "terminated" }.keys)
    }

    /// The cloud acting behind orbrec's back: `terminate` or `reclaim` one of its machines.
    func pluginCloud(_ verb: String, _ machine: String) throws {
        let result = try runProgram("/usr/bin/env", ["python3", Self.testPluginScripts + "/plugin.py", "admin", verb, machine],
                                    environment: ["HF_PROVIDER_WORKDIR": pluginWorkDirectory])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Machines as orbrec's `get machines -o json` lists them.
    func machineRows() throws -> [[String: Any]] {
        let result = try orbrec("get", "machines", "-o", "json")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
    }
}
