public import OrbrecCore

/// Builders for desired and observed state in tests.
public enum Fixtures {
    public static func provider(_ name: String = "here", maxInFlight: Int = 10) -> ProviderSpec {
        ProviderSpec(metadata: Metadata(name: name), maxInFlight: maxInFlight, settings: .local)
    }

    public static func template(_ name: String = "worker", provider: String = "here",
                                command: [String] = ["sleep", "infinity"], maxMachines: Int? = nil) -> TemplateSpec {
        TemplateSpec(metadata: Metadata(name: name), provider: provider, settings: .local(LocalTemplateSettings(command: command)),
                     maxMachines: maxMachines)
    }

    /// A template of an aws provider, its EC2 settings changed by `configure`.
    public static func awsTemplate(_ name: String = "small", provider: String = "ec2", imageId: String = "ami-760aaa0f",
                                   instanceType: String? = "t3.micro", maxMachines: Int? = nil,
                                   configure: (inout AWSTemplateSettings) -> Void = { _ in }) -> TemplateSpec {
        var settings = AWSTemplateSettings(imageId: imageId, instanceType: instanceType)
        configure(&settings)
        return TemplateSpec(metadata: Metadata(name: name), provider: provider, settings: .aws(settings), maxMachines: maxMachines)
    }

    public static func fleet(_ name: String = "workers", template: String = "worker", count: Int,
                             scaleIn: FleetSpec.ScaleIn = .newestFirst, maxSurge: Int = 1, maxUnavailable: Int = 0,
                             replaceUnhealthy: Bool = true, annotations: [String: String] = [:]) -> FleetSpec {
        FleetSpec(metadata: Metadata(name: name, annotations: annotations), template: template, count: count, scaleIn: scaleIn,
                  replaceUnhealthy: replaceUnhealthy,
                  updateStrategy: FleetSpec.UpdateStrategy(maxSurge: maxSurge, maxUnavailable: maxUnavailable))
    }

    public static func desired(providers: [ProviderSpec] = [provider()], templates: [TemplateSpec] = [template()],
                               fleets: [FleetSpec]) -> DesiredState {
        DesiredState(providers: providers, templates: templates, fleets: fleets, revision: "test")
    }

    /// A machine as a provider reports it, of `template`'s current version unless told otherwise.
    public static func machine(_ id: String, fleet: String = "workers", template: TemplateSpec = template(),
                               templateHash: String? = nil, state: MachineState = .running, createdAt: Int64 = 0) -> ObservedMachine {
        ObservedMachine(id: id, fleet: fleet, template: template.name, templateHash: templateHash ?? template.specHash,
                        provider: template.provider, providerID: "fake:\(id)", actionID: "act-test", state: state,
                        createdAt: Instant(millisecondsSinceEpoch: createdAt))
    }

    /// The journal's record of an observed machine.
    public static func record(_ machine: ObservedMachine, state: MachineState? = nil) -> RecordedMachine {
        RecordedMachine(id: machine.id, fleet: machine.fleet, template: machine.template, templateHash: machine.templateHash,
                        provider: machine.provider, state: state ?? machine.state, createdAt: machine.createdAt)
    }
}
