/// What an action does. The raw values are the JSON and journal spelling.
public enum Verb: String, Sendable, Codable, CaseIterable, Comparable {
    case provision
    case `return`
    case replace
    case submit
    case cancel
    case retry
    case deadLetter = "dead-letter"

    /// Terraform's plan symbols.
    public var symbol: String {
        switch self {
        case .provision, .submit, .retry: "+"
        case .return, .cancel: "-"
        case .replace: "-/+"
        case .deadLetter: "~"
        }
    }

    private var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    public static func < (lhs: Verb, rhs: Verb) -> Bool { lhs.order < rhs.order }
}
