import Foundation
import OrbrecCore
import OrbrecSpec
import Testing

/// Each provider type's fields, of its Provider and of the Templates that name it, are read
/// by that type alone: a field of another type is an unknown field at its own line and column.
@Suite struct ProviderSettingsTests {
    func directory(_ files: [String: String], named name: String = UUID().uuidString) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("orbrec-settings-\(name)").path
        for (name, content) in files {
            let path = directory + "/" + name
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try content.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return directory
    }

    /// - Parameter name: the directory's name, for loads that must be from the same place (a
    ///   pool's workdir is the configuration directory).
    func load(_ files: [String: String], in name: String = UUID().uuidString) throws -> DesiredState {
        let path = try directory(files, named: name)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ConfigLoader().load(path, displayPath: "").desired
    }

    func errors(_ files: [String: String]) throws -> [String] {
        let path = try directory(files)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try ConfigLoader().load(path, displayPath: "")
        } catch {
            return error.diagnostics.map(\.rendered)
        }
        Issue.record("the configuration loaded")
        return []
    }

    static func document(_ kind: String, _ name: String, _ spec: String) -> String {
        "apiVersion: orbrec/v1\nkind: \(kind)\nmetadata: {name: \(name)}\nspec:\n" + spec.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n"
    }

    static let providers = [
        document("Provider", "here", "type: local"),
        document("Provider", "ec2", "type: aws\nregion: eu-west-1\nendpoint: http://127.0.0.1:5000\nprofile: dev"),
        document("Provider", "symphony", """
            type: hostfactory
            scriptsDir: /opt/plugin/scripts
            confDir: /opt/plugin/conf
            workDir: /var/lib/plugin
            logDir: /var/log/plugin
            env: {AWS_PROFILE: hf}
            timeout: 2m
            """),
    ].joined(separator: "---\n")

    @Test func everyTypesFieldsAreRead() throws {
        let templates = [
            Self.document("Template", "spot", """
                provider: ec2
                providerApi: SpotFleet
                imageId: ami-1
                instanceTypes: {c6i.large: 1, c6i.xlarge: 2}
                subnetIds: [subnet-1, subnet-2]
                fleetRole: arn:aws:iam::123456789012:role/spot-fleet
                allocationStrategy: priceCapacityOptimized
                maxSpotPrice: 0.05
                tags: {team: cfd}
                attributes: {ncpus: 2, memMB: 4096, type: X86_64}
                """),
            Self.document("Template", "group", "provider: ec2\nproviderApi: ASG\nimageId: ami-1\ninstanceType: t3.micro\nsubnetIds: [subnet-1]"),
            Self.document("Template", "worker", "provider: here\ncommand: [sleep, \"30\"]\nattributes: {ncpus: 1}"),
            Self.document("Template", "hf-default", "provider: symphony"),
            Self.document("Template", "hf-named", "provider: symphony\ntemplateId: OrbTemplate-1"),
        ].joined(separator: "---\n")
        // Templates first: a template's provider may be declared after it, in any file.
        let desired = try load(["a-templates.yaml": templates, "b-providers.yaml": Self.providers])
        #expect(desired.providers["ec2"]?.settings == .aws(AWSProviderSettings(region: "eu-west-1", endpoint: "http://127.0.0.1:5000", profile: "dev")))
        #expect(desired.providers["symphony"]?.settings == .hostfactory(HostFactoryProviderSettings(
            scriptsDir: "/opt/plugin/scripts", confDir: "/opt/plugin/conf", workDir: "/var/lib/plugin", logDir: "/var/log/plugin",
            env: ["AWS_PROFILE": "hf"], timeout: .seconds(120))))
        #expect(desired.providers["here"]?.settings == .local)
        let spot = try #require(desired.templates["spot"])
        #expect(spot.settings == .aws(AWSTemplateSettings(
            providerApi: .spotFleet, imageId: "ami-1", instanceTypes: ["c6i.large": 1, "c6i.xlarge": 2], subnetIds: ["subnet-1", "subnet-2"],
            tags: ["team": "cfd"], fleetRole: "arn:aws:iam::123456789012:role/spot-fleet", allocationStrategy: .priceCapacityOptimized,
            maxSpotPrice: "0.05")))
        #expect(spot.settings.aws?.isSpot == true, "SpotFleet is spot without priceType")
        #expect(spot.attributes == TemplateAttributes(ncpus: 2, memMB: 4096, type: "X86_64"))
        #expect(desired.templates["group"]?.settings.aws?.api == .asg)
        #expect(desired.templates["worker"]?.attributes == TemplateAttributes(ncpus: 1))
        #expect(desired.templates["hf-default"]?.settings == .hostfactory(HostFactoryTemplateSettings(templateId: "hf-default")))
        #expect(desired.templates["hf-named"]?.settings == .hostfactory(HostFactoryTemplateSettings(templateId: "OrbTemplate-1")))
    }

    @Test func aFieldOfAnotherTypeIsAnUnknownFieldWhereItWasWritten() throws {
        let templates = [
            Self.document("Template", "worker", "provider: here\ncommand: [sleep, \"30\"]\nimageId: ami-1"),
            Self.document("Template", "web", "provider: ec2\nimageId: ami-1\ninstanceType: t3.micro\ncommand: [sleep, \"1\"]"),
            Self.document("Template", "hf", "provider: symphony\nkeyName: mine"),
        ].joined(separator: "---\n")
        let found = try errors(["providers.yaml": Self.providers + "---\n" + Self.document("Provider", "odd", "type: local\nregion: us-east-1"),
                                "templates.yaml": templates])
        #expect(found == [
            "providers.yaml:33:3: error: unknown field 'region' in Provider spec of type local; region is a field of aws providers",
            "templates.yaml:7:3: error: unknown field 'imageId' in Template spec of local provider 'here'; imageId is a field of aws templates",
            "templates.yaml:16:3: error: unknown field 'command' in Template spec of aws provider 'ec2'; command is a field of local templates",
            "templates.yaml:23:3: error: unknown field 'keyName' in Template spec of hostfactory provider 'symphony'; keyName is a field of aws templates",
        ])
    }

    @Test func whatEachAPINeedsIsCheckedAllAtOnce() throws {
        let templates = [
            Self.document("Template", "spot", "provider: ec2\nproviderApi: SpotFleet\nimageId: ami-1\ninstanceType: t3.micro\npriceType: ondemand"),
            Self.document("Template", "group", "provider: ec2\nproviderApi: ASG\nimageId: ami-1\ninstanceType: t3.micro"),
            Self.document("Template", "plain", """
                provider: ec2
                imageId: ami-1
                instanceTypes: {t3.micro: 1}
                fleetRole: role
                allocationStrategy: lowestPrice
                maxSpotPrice: 0.05
                """),
            Self.document("Template", "role", "provider: ec2\nproviderApi: SpotFleet\nimageId: ami-1\ninstanceType: t3.micro\nfleetRole: spot-fleet"),
        ].joined(separator: "---\n")
        let found = try errors(["providers.yaml": Self.providers, "templates.yaml": templates])
        #expect(found == [
            "templates.yaml:5:3: error: Template 'spot' uses aws provider 'ec2' with providerApi: SpotFleet, which needs spec.fleetRole (the ARN of the IAM role the Spot Fleet acts as)",
            "templates.yaml:9:14: error: providerApi: SpotFleet launches spot instances; remove priceType: ondemand or use EC2Fleet",
            "templates.yaml:15:3: error: Template 'group' uses aws provider 'ec2' with providerApi: ASG, which needs spec.subnetIds (the group's subnets)",
            "templates.yaml:26:18: error: spec.instanceTypes (weighted types) needs providerApi: EC2Fleet, SpotFleet or ASG; RunInstances launches one type, given as spec.instanceType",
            "templates.yaml:27:14: error: spec.fleetRole applies to providerApi: SpotFleet only",
            "templates.yaml:28:23: error: spec.allocationStrategy needs providerApi SpotFleet, EC2Fleet or ASG; RunInstances launches each instance on its own",
            "templates.yaml:29:17: error: spec.maxSpotPrice applies to spot instances; set priceType: spot or providerApi: SpotFleet",
            "templates.yaml:39:14: error: spec.fleetRole must be an IAM role ARN such as arn:aws:iam::123456789012:role/spot-fleet, not 'spot-fleet'",
        ])
    }

    @Test func aHostFactoryProviderNeedsItsScriptsAndOwnsItsVariables() throws {
        let found = try errors(["p.yaml": Self.document("Provider", "hf", "type: hostfactory\nenv: {HF_PROVIDER_CONFDIR: /x}\ntimeout: 0s")])
        #expect(found == [
            "p.yaml:5:3: error: Provider 'hf' of type hostfactory needs spec.scriptsDir (the plugin's scripts directory)",
            "p.yaml:6:8: error: spec.env may not set HF_PROVIDER_CONFDIR: it comes from spec.confDir",
            "p.yaml:7:12: error: spec.timeout must be more than 0",
        ])
    }

    @Test func aTemplateOfAnUndeclaredProviderIsStillAnUnresolvedReference() throws {
        let found = try errors(["t.yaml": Self.document("Template", "web", "provider: ec3\nimageId: ami-1\nbogus: 1")
                                + "---\n" + Self.document("Provider", "ec2", "type: aws\nregion: r")])
        #expect(found == [
            "t.yaml:5:13: error: Template 'web' refers to provider 'ec3', which is not declared; did you mean 'ec2'?",
            "t.yaml:7:3: error: unknown field 'bogus' in Template spec",
        ])
    }

    /// The same files give the same hashes, whatever order their keys and documents are in
    /// and whichever file holds them: a hash is of what a spec says, not of how it is laid out.
    @Test(arguments: 0..<6)
    func theSameConfigurationHashesTheSame(seed: Int) throws {
        var random = SeededRandom(seed: UInt64(seed) + 1)
        let lines = [
            "provider: ec2", "imageId: ami-\(random.next() % 5)", "instanceType: t3.\(["micro", "small"][Int(random.next() % 2)])",
            "subnetIds: [subnet-\(random.next() % 3)]", "tags: {team: t\(random.next() % 3), env: e}", "maxMachines: \(random.next() % 9)",
            "priceType: spot", "maxSpotPrice: 0.0\(random.next() % 9 + 1)",
        ]
        let pool = ["scheduler: cpu", "command: [run, \"${item}\"]", "range: {from: 1, to: \(random.next() % 20 + 1)}",
                    "deadline: \(random.next() % 50 + 1)m", "resources: {cpus: \(random.next() % 4 + 1), memoryMB: 512}",
                    "env: {B: \"2\", A: \"1\"}"]
        func files(shuffled: Bool) -> [String: String] {
            var generator = SeededRandom(seed: UInt64(seed) * 7 + 3)
            let template = Self.document("Template", "web", (shuffled ? lines.shuffled(using: &generator) : lines).joined(separator: "\n"))
            let taskPool = Self.document("TaskPool", "sims", (shuffled ? pool.shuffled(using: &generator) : pool).joined(separator: "\n"))
            let scheduler = Self.document("Scheduler", "cpu", "type: local")
            let provider = Self.document("Provider", "ec2", shuffled ? "region: r\ntype: aws" : "type: aws\nregion: r")
            return shuffled ? ["z/all.yaml": [taskPool, template, scheduler, provider].joined(separator: "---\n")]
                : ["a.yaml": provider + "---\n" + template, "b.yaml": scheduler + "---\n" + taskPool]
        }
        let place = "hashes-\(UUID().uuidString)"
        let first = try load(files(shuffled: false), in: place), second = try load(files(shuffled: true), in: place)
        let hashes = { (desired: DesiredState) in desired.resources.map { "\($0.id) \($0.specHash)" } }
        #expect(hashes(first) == hashes(second))
        #expect(hashes(first) == hashes(try load(files(shuffled: false), in: place)))
        #expect(hashes(first) != hashes(try load(files(shuffled: false))), "a pool's workdir is where its configuration is")
    }
}

/// A small deterministic generator (splitmix64), so each argument is the same case every run.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
