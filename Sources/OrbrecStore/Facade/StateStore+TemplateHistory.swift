public import OrbrecCore
internal import Foundation

extension StateStore {
    /// Records what a template hash is made from, once: the first record of a hash stands,
    /// since the hash determines these fields.
    public func recordTemplateHistory(_ templates: [TemplateSpec], at now: Instant) async throws {
        try await backend.recordTemplateHistory(templates, at: now)
    }

    /// Every recorded template hash with its rendered fields.
    public func templateHistory() async throws -> [String: [String: String]] {
        try await backend.templateHistory()
    }
}
