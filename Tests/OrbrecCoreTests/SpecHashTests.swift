import Foundation
import Testing
import OrbrecCore
import OrbrecTestSupport
import PropertyBased

/// Spec hashes from the canonical encoding: everything that changes behaviour is in, what
/// the host or the file's place adds is not, and records of before decode unchanged.
@Suite("Spec hashes")
struct SpecHashTests {
    static func pool(deadline: ConfigDuration? = nil, resources: TaskPoolSpec.Resources = .init()) -> TaskPoolSpec {
        TaskPoolSpec(metadata: Metadata(name: "sims"), scheduler: "cpu", command: [try! CommandTemplate(parsing: "run")],
                     source: .items(["a", "b"]), resources: resources, deadline: deadline)
    }

    @Test func aPoolsHashChangesWithItsDeadlineAndResources() {
        let base = Self.pool()
        let variants = [
            Self.pool(deadline: .seconds(60)), Self.pool(deadline: .seconds(120)),
            Self.pool(resources: .init(cpus: 2)), Self.pool(resources: .init(cpus: 4)),
            Self.pool(resources: .init(memoryMB: 512)), Self.pool(resources: .init(gpus: 1)),
            Self.pool(resources: .init(walltime: .seconds(60))), Self.pool(resources: .init(partition: "gpu")),
        ]
        let hashes = Set([base.specHash] + variants.map(\.specHash))
        #expect(hashes.count == variants.count + 1, "every variant hashes differently from the others and from the base")
    }

    @Test func aSchedulersHashDoesNotDependOnTheHostsCores() {
        var laptop = SchedulerSpec(metadata: Metadata(name: "cpu"), type: .local)
        laptop.hostCores = 4
        var server = laptop
        server.hostCores = 96
        #expect(laptop.specHash == server.specHash)
        #expect(laptop.effectiveSlots == 4 && server.effectiveSlots == 96)
        var written = laptop
        written.slots = 8
        #expect(written.specHash != laptop.specHash, "slots written in the file are part of it")
        #expect(written.effectiveSlots == 8)
    }

    @Test func whereADocumentWasWrittenIsNotPartOfItsHash() {
        var here = Fixtures.fleet(count: 2)
        here.metadata.location = SourceLocation(file: "a.yaml", line: 1, column: 1)
        here.countLocation = SourceLocation(file: "a.yaml", line: 7, column: 10)
        var there = here
        there.metadata.location = SourceLocation(file: "b/c.yaml", line: 40, column: 1)
        there.countLocation = nil
        #expect(here.specHash == there.specHash)
    }

    @Test func aTemplatesHashLeavesOutLimitsInPlaceFieldsAndAttributes() {
        let base = Fixtures.template()
        var other = base
        other.maxMachines = 7
        other.stopTimeout = .seconds(3)
        other.attributes = TemplateAttributes(ncpus: 8, memMB: 16_384, type: "X86_64")
        other.metadata.labels = ["team": "ml"]
        other.metadata.annotations = ["note": "x"]
        #expect(base.specHash == other.specHash)
        let aws = Fixtures.awsTemplate()
        let changes: [(inout AWSTemplateSettings) -> Void] = [
            { $0.fleetRole = "arn:aws:iam::1:role/f" }, { $0.allocationStrategy = .diversified }, { $0.maxSpotPrice = "0.05" },
            { $0.providerApi = .asg },
        ]
        for change in changes {
            guard case .aws(var settings) = aws.settings else { Issue.record("not an aws template"); continue }
            change(&settings)
            var changed = aws
            changed.settings = .aws(settings)
            #expect(changed.specHash != aws.specHash, "a new EC2 field is in the hash without being listed")
        }
    }

    /// The canonical text: keys sorted, nulls and source locations left out, exclusions applied.
    @Test func theCanonicalTextIsSortedAndLeavesOutNullsAndLocations() {
        var scheduler = SchedulerSpec(metadata: Metadata(name: "cpu", location: SourceLocation(file: "x", line: 1, column: 1)), type: .slurm,
                                      partition: "gpu")
        scheduler.hostCores = 3
        #expect(CanonicalHash.text(of: scheduler, excluding: ["hostCores"])
                == #"{"metadata":{"annotations":{},"labels":{},"name":"cpu"},"partition":"gpu","type":"slurm"}"#)
        let workflow = WorkflowSpec(metadata: Metadata(name: "w"), steps: [
            .init(name: "a", work: .taskPool(ref: "p"), location: SourceLocation(file: "x", line: 2, column: 3)),
        ])
        #expect(!CanonicalHash.text(of: workflow).contains("location"))
        #expect(CanonicalHash.text(of: ["b": 1, "a": 2], excluding: []) == #"{"a":2,"b":1}"#)
        #expect(CanonicalHash.text(of: ["x": ["k": "v\n\""]], excluding: ["x.k"]) == #"{"x":{}}"#)
    }

    /// Templates and providers recorded as JSON by an orbrec of before the settings types
    /// (flat fields, no providerType) decode to the same spec.
    @Test func specsRecordedBeforeTheSettingsTypesDecode() throws {
        let provider = try JSONDecoder().decode(ProviderSpec.self, from: Data(#"""
            {"maxInFlight":4,"metadata":{"annotations":{},"labels":{},"name":"ec2"},"profile":"dev","region":"eu-west-1","type":"aws"}
            """#.utf8))
        #expect(provider == ProviderSpec(metadata: Metadata(name: "ec2"), maxInFlight: 4,
                                         settings: .aws(AWSProviderSettings(region: "eu-west-1", profile: "dev"))))
        let local = try JSONDecoder().decode(TemplateSpec.self, from: Data(#"""
            {"command":["sleep","infinity"],"maxMachines":3,"metadata":{"annotations":{},"labels":{},"name":"worker"},"provider":"here"}
            """#.utf8))
        #expect(local == Fixtures.template(maxMachines: 3))
        let aws = try JSONDecoder().decode(TemplateSpec.self, from: Data(#"""
            {"imageId":"ami-1","instanceType":"t3.micro","metadata":{"annotations":{},"labels":{},"name":"small"},"priceType":"spot","provider":"ec2"}
            """#.utf8))
        #expect(aws == Fixtures.awsTemplate(imageId: "ami-1") { $0.priceType = .spot })
        for spec in [local, aws] {
            let again = try JSONDecoder().decode(TemplateSpec.self, from: JSONEncoder().encode(spec))
            #expect(again == spec)
        }
        let factory = ProviderSpec(metadata: Metadata(name: "hf"), settings: .hostfactory(HostFactoryProviderSettings(
            scriptsDir: "/opt/plugin/scripts", env: ["A": "1"], timeout: .seconds(30))))
        #expect(try JSONDecoder().decode(ProviderSpec.self, from: JSONEncoder().encode(factory)) == factory)
    }

    static let generated = zip(Gen.int(in: 0...2), Gen.int(in: 0...3), Gen.int(in: 0...2), Gen.int(in: 0...2)).map { t -> TemplateSpec in
        switch t.0 {
        case 0: return Fixtures.template(command: [["a"], ["a", "b"], ["b"], ["c"]][t.1])
        case 1: return TemplateSpec(metadata: Metadata(name: "worker"), provider: "hf",
                                    settings: .hostfactory(HostFactoryTemplateSettings(templateId: ["t1", "t2", "t3", "worker"][t.1])))
        default:
            return Fixtures.awsTemplate("worker", provider: "here") { settings in
                settings.providerApi = [nil, .runInstances, .ec2Fleet, .spotFleet][t.1]
                settings.allocationStrategy = [nil, .lowestPrice, .capacityOptimized][t.2]
                settings.securityGroupIds = [nil, ["sg-1"], ["sg-2", "sg-1"]][t.3]
            }
        }
    }

    /// What a plan records of a template's fields and its hash say the same: equal fields,
    /// equal hash. A field the record missed would let a changed template pass as current.
    @Test func equalRecordedFieldsMeanAnEqualHash() async {
        await propertyCheck(count: 300, input: Self.generated, Self.generated) { first, second in
            #expect((first.replacementFieldValues == second.replacementFieldValues) == (first.specHash == second.specHash))
            #expect(first.isCurrent(hash: second.specHash, history: [second.specHash: second.replacementFieldValues])
                    == (first.specHash == second.specHash))
        }
    }

    /// Every field a template records is one a plan diff can show: a settings type's catalogue
    /// names all its fields.
    @Test func everyRecordedFieldIsInThePlanDiffsCatalogue() async {
        let catalogue = Set(TemplateSpec.replacementFields.map(\.name))
        let full = Fixtures.awsTemplate { settings in
            settings = AWSTemplateSettings(providerApi: .spotFleet, imageId: "ami", instanceTypes: ["a": 1], subnetIds: ["s"],
                                           securityGroupIds: ["g"], keyName: "k", userData: "u", priceType: .spot, tags: ["t": "v"],
                                           fleetRole: "arn:r", allocationStrategy: .diversified, maxSpotPrice: "1")
        }
        #expect(Set(full.replacementFieldValues.keys).isSubset(of: catalogue))
        await propertyCheck(count: 50, input: Self.generated) { template in
            #expect(Set(template.replacementFieldValues.keys).isSubset(of: catalogue))
        }
    }
}
