import Testing
import OrbrecCore
import OrbrecTestSupport
import PropertyBased

/// Which fields a replacement or an update changes, from the recorded spec of a template hash
/// and the spec last applied; secrets never shown.
@Suite("Plan diffs")
struct PlanDiffTests {
    static func template(_ command: [String], maxMachines: Int? = nil) -> TemplateSpec {
        Fixtures.template(command: command, maxMachines: maxMachines)
    }

    @Test func replacementNamesTheChangedFieldsOfItsTemplate() throws {
        let old = Self.template(["sleep", "300"])
        let new = Self.template(["sleep", "400"])
        let desired = Fixtures.desired(templates: [new], fleets: [Fixtures.fleet(count: 1)])
        var input = T.input(desired, machines: [Fixtures.machine("m1", template: old)])
        input.templateHistory = [old.specHash: old.replacementFieldValues]
        let plan = try T.plan(input)
        let replace = try #require(plan.actions.first { $0.verb == .replace })
        #expect(replace.changes == [FieldChange(field: "command", before: #"["sleep", "300"]"#, after: #"["sleep", "400"]"#,
                                                forcesReplacement: true)])
    }

    @Test func aReplacementWithoutRecordedHistoryHasNoChanges() throws {
        let desired = Fixtures.desired(fleets: [Fixtures.fleet(count: 1)])
        let input = T.input(desired, machines: [Fixtures.machine("m1", templateHash: T.oldHash)])
        let plan = try T.plan(input)
        #expect(plan.actions.map(\.verb) == [.replace])
        #expect(plan.actions[0].changes.isEmpty)
    }

    @Test func sensitiveFieldsNeverShowTheirValue() {
        let old = Fixtures.awsTemplate { $0.userData = "export TOKEN=hunter2" }
        let new = Fixtures.awsTemplate { $0.userData = "export TOKEN=swordfish" }
        let changes = FieldChange.between(old.replacementFieldValues, new.replacementFieldValues, fields: TemplateSpec.replacementFields)
        #expect(changes == [FieldChange(field: "userData", before: "(sensitive)", after: "(sensitive)", forcesReplacement: true, sensitive: true)])
        #expect(!old.replacementFieldValues.values.contains { $0.contains("hunter2") })
    }

    @Test func inPlaceChangesAreUpdatesNotReplacements() throws {
        let applied = Self.template(["sleep", "300"], maxMachines: 4)
        var desiredTemplate = Self.template(["sleep", "300"], maxMachines: 6)
        desiredTemplate.metadata.labels = ["team": "ml"]
        let desired = Fixtures.desired(templates: [desiredTemplate], fleets: [Fixtures.fleet(count: 1, maxSurge: 2)])
        var known = KnownResource(id: applied.id)
        known.fields = applied.fieldValues
        var fleetKnown = KnownResource(id: ResourceID(.fleet, "workers"))
        fleetKnown.fields = Fixtures.fleet(count: 3).fieldValues
        var input = T.input(desired, machines: [Fixtures.machine("m1", template: desiredTemplate)], known: [known, fleetKnown])
        input.templateHistory = [:]
        let plan = try T.plan(input)
        #expect(plan.actions.isEmpty)
        #expect(plan.updates == [
            ResourceUpdate(resource: desiredTemplate.id, changes: [
                FieldChange(field: "maxMachines", before: "4", after: "6", forcesReplacement: false),
                FieldChange(field: "labels", before: nil, after: #"{"team": "ml"}"#, forcesReplacement: false),
            ]),
            ResourceUpdate(resource: ResourceID(.fleet, "workers"), changes: [
                FieldChange(field: "updateStrategy.maxSurge", before: "1", after: "2", forcesReplacement: false),
            ]),
        ].sorted { $0.resource < $1.resource })
        #expect(!plan.hasNoChanges)
    }

    @Test func controlCharactersAndQuotesAreEscaped() {
        #expect(FieldText.list(["a\"b", "c\u{1B}[2J"]) == #"["a\"b", "c\e[2J"]"#)
    }

    /// Local and aws templates over a few values of each field.
    static let templates = zip(
        Gen.int(in: 0...3), Gen.int(in: 0...2), Gen.int(in: 0...2), Gen.int(in: 0...2), Gen.int(in: 0...3), Gen.int(in: 0...2)
    ).map { t -> TemplateSpec in
        var template = t.0 < 3
            ? Fixtures.template(command: [["sleep", "1"], ["sleep", "2"], ["true"]][t.0], maxMachines: [nil, 3, 5][t.1])
            : Fixtures.awsTemplate("worker", provider: "here", maxMachines: [nil, 3, 5][t.1]) { settings in
                settings.userData = [nil, "a", "b"][t.2]
                settings.tags = [nil, ["j": "w"], ["k": "v"]][t.3]
                settings.providerApi = [nil, .spotFleet, .asg][t.5]
                settings.fleetRole = [nil, "arn:aws:iam::1:role/a", nil][t.5]
                settings.maxSpotPrice = [nil, "0.05", "0.1"][t.2]
            }
        template.stopTimeout = [nil, .seconds(5), .seconds(10), .seconds(1)][t.4]
        template.attributes = [nil, TemplateAttributes(ncpus: 2), TemplateAttributes(ncpus: 4, memMB: 8192, type: "X86_64")][t.3]
        return template
    }

    /// The hash changes exactly when a field that forces replacement does: a replacement
    /// always has a diff to show once its old spec is recorded, and an update never hides one.
    @Test func replacementFieldsChangeExactlyWhenTheHashDoes() async {
        await propertyCheck(count: 300, input: Self.templates, Self.templates) { old, new in
            let forcing = FieldChange.between(old.replacementFieldValues, new.replacementFieldValues, fields: TemplateSpec.replacementFields)
            #expect(forcing.isEmpty == (old.specHash == new.specHash))
            #expect(forcing.allSatisfy { $0.forcesReplacement })
            let all = FieldChange.between(old.fieldValues, new.fieldValues, fields: TemplateSpec.fields)
            #expect(all.filter { $0.forcesReplacement } == forcing)
            #expect(all.allSatisfy { !$0.sensitive || ($0.before ?? "(sensitive)") == "(sensitive)" && ($0.after ?? "(sensitive)") == "(sensitive)" })
        }
    }
}
