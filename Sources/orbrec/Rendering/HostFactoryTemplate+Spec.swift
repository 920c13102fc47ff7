internal import Foundation
internal import OrbrecCore
internal import OrbrecHostFactory

extension HostFactoryTemplate {
    /// How many machines of a template HostFactory may hold when the template sets no `maxMachines`.
    static let defaultMaxNumber = 100

    /// A template as getAvailableTemplates lists it: its `attributes` where the template says
    /// them; otherwise a local template offers this host (its cores, its memory, its
    /// architecture), and any other 1 CPU, 1024 MB and X86_64, which its `attributes` should correct.
    init(_ template: TemplateSpec) {
        let said = template.attributes ?? TemplateAttributes()
        let local = template.settings.type == .local
        let ncpus = said.ncpus ?? (local ? ProcessInfo.processInfo.activeProcessorCount : 1)
        let memory = said.memMB ?? (local ? Int(ProcessInfo.processInfo.physicalMemory / 1_048_576) : 1024)
        let type = said.type ?? (local ? Self.hostType : "X86_64")
        self.init(templateId: template.name, maxNumber: template.maxMachines ?? Self.defaultMaxNumber,
                  attributes: ["ncpus": .numeric(ncpus), "mem": .numeric(memory), "type": .string(type)])
    }

    /// This host's machine type as HostFactory's templates write it.
    static var hostType: String {
        #if arch(x86_64)
        "X86_64"
        #elseif arch(arm64)
        "ARM64"
        #else
        "X86_64"
        #endif
    }
}
