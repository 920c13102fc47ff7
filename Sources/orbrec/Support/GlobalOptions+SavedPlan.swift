internal import Foundation

extension GlobalOptions {
    /// The options for applying the saved plan at `path`: the configuration and the state it
    /// was made with, unless named on the command line (or, for the state, in `ORBREC_STATE`).
    /// A plan that cannot be read leaves them as they are; applying it reports why.
    func applying(savedPlan path: String) -> GlobalOptions {
        guard let data = FileManager.default.contents(atPath: path),
              let document = try? JSONDecoder().decode(SavedPlanLocations.self, from: data) else { return self }
        var options = self
        if configOption == nil, let config = document.config { options.config = config }
        if !stateIsNamed, let state = document.state { options.state = state }
        return options
    }
}

/// The two fields of a saved plan that say where it belongs.
private struct SavedPlanLocations: Decodable {
    var config: String?
    var state: String?
}
